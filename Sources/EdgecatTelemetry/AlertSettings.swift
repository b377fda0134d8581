/// The flags behind the default alert rules and the principal that alert actions run as.
/// Each default rule takes its window, minimum sample and threshold from here when it is
/// created, and again at each start until someone edits it.
public struct AlertSettings: Sendable, Equatable {
  /// Accuracy of a model version over this many seconds, judged from this many labelled
  /// records, below this threshold.
  public var accuracyWindowSeconds: Int64 = 3600
  public var accuracyMinLabels: Int64 = 50
  public var accuracyThreshold: Double = 0.90
  /// p99 latency of a device and model version over this many seconds, judged from this many
  /// records, above this many milliseconds.
  public var latencyWindowSeconds: Int64 = 900
  public var latencyMinRecords: Int64 = 100
  public var latencyThresholdMilliseconds: Double = 50
  /// A device is Offline after this many seconds without a heartbeat.
  public var offlineAfterSeconds: Int64 = 3600
  /// Sample standard deviation of confidence of a model version over the current UTC day,
  /// judged from this many records, above this threshold.
  public var confidenceStddevMinRecords: Int64 = 100
  public var confidenceStddevThreshold: Double = 0.15
  /// The principal of transition audit events; alert actions run as it.
  public var servicePrincipal = "service:telemetry"

  public init() {}
}

/// The registry's inventory and model state, which an evaluation needs from outside this
/// database. The server fills it from the registry and must pass all of it, because a device
/// left out is not judged and a model left out of `champions` ends the version-mismatch
/// alerts of the devices that report it.
public struct AlertInputs: Sendable, Equatable {
  public var devices: [AlertDevice]
  /// The model as "catalog.schema.model" to the version its `champion` alias names.
  public var champions: [String: Int64]

  public init(devices: [AlertDevice] = [], champions: [String: Int64] = [:]) {
    self.devices = devices
    self.champions = champions
  }
}

/// A device of the registry's inventory. Its last heartbeat comes from the `heartbeats`
/// table of this database.
public struct AlertDevice: Sendable, Equatable {
  public var id: String
  /// The models the device reports running, as "catalog.schema.model" to version; empty when
  /// it has not reported.
  public var models: [String: Int64]

  public init(id: String, models: [String: Int64] = [:]) {
    self.id = id
    self.models = models
  }
}

/// Runs alert actions. The server implements it by calling the registry as the service
/// principal. Each call returns the text stored as the alert's `action_result`: what the
/// action did or why it failed.
public protocol AlertActions: Sendable {
  /// Rolls back the breaching model version. The registry runs one rollback per `firingID`,
  /// so a repeated call with the same id changes nothing.
  func rollback(modelFullName: String, version: Int64, firingID: String, reason: String) async
    -> String
  /// Asks the registry to send the device's desired state again.
  func resendDesiredState(deviceID: String, reason: String) async -> String
}
