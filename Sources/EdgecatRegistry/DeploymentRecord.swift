import EdgecatProto
import EdgecatStore

public typealias DeploymentState = Edgecat_Registry_V1_DeploymentState
public typealias DeviceRolloutState = Edgecat_Registry_V1_DeviceRolloutState
public typealias RolloutStrategy = Edgecat_Registry_V1_RolloutStrategy

/// One device of a deployment.
public struct DeploymentDeviceRecord: Sendable, Hashable {
  public let deviceID: String
  /// Index into the strategy's stages.
  public let stage: Int
  public var state: DeviceRolloutState
  /// The device's desired version of the model when the deployment started, 0 for none.
  public let previousVersion: Int64
  /// The version this deployment gave the device, 0 before its stage starts.
  public var targetVersion: Int64
  /// Seconds since the Unix epoch when the device's stage started, nil before.
  public var targetedAt: Double?
  /// The reason the device failed, empty otherwise.
  public var message: String
  public var updatedAt: Double

  static let columns =
    "device_id, stage, state, previous_version, target_version, targeted_at, message, updated_at"

  init(row: Row) {
    deviceID = row[0].string ?? ""
    stage = row[1].int ?? 0
    state = DeviceRolloutState(rawValue: Int32(row[2].int64 ?? 0))
    previousVersion = row[3].int64 ?? 0
    targetVersion = row[4].int64 ?? 0
    targetedAt = row[5].double
    message = row[6].string ?? ""
    updatedAt = row[7].double ?? 0
  }

  init(deviceID: String, stage: Int, previousVersion: Int64, at time: Double) {
    self.deviceID = deviceID
    self.stage = stage
    state = .waiting
    self.previousVersion = previousVersion
    targetVersion = 0
    targetedAt = nil
    message = ""
    updatedAt = time
  }

  /// True once the device reported the target running or counts as failed.
  var isSettled: Bool { state == .updated || state == .failed }
}

/// One deployment with, when read with them, its devices.
public struct DeploymentRecord: Sendable, Hashable {
  public let id: String
  /// The position in creation order.
  public let sequence: Int64
  public let model: String
  /// The version the latest started stage rolled out.
  public var version: Int64
  /// Empty for a deployment of a fixed version.
  public let alias: String
  /// The version the alias named before it was set to the deployed version, 0 for none.
  public let aliasPreviousVersion: Int64
  public let selector: DeviceSelector
  /// With the defaults filled in.
  public let strategy: RolloutStrategy
  public var state: DeploymentState
  public var currentStage: Int
  /// Seconds since the Unix epoch when the current stage's devices all settled, nil while
  /// they have not.
  public var soakStartedAt: Double?
  public var stateMessage: String
  public let createdBy: String
  public let createdAt: Double
  public var updatedAt: Double
  /// By device id, and empty when read without them.
  public var devices: [DeploymentDeviceRecord] = []

  /// True while the deployment still governs its devices: rolling out, paused or halted.
  public var isUnfinished: Bool { [.rollingOut, .paused, .halted].contains(state) }

  static let columns =
    "id, sequence, model, version, alias, alias_previous_version, selector, strategy, state,"
    + " current_stage, soak_started_at, state_message, created_by, created_at, updated_at"

  init?(row: Row) {
    guard let id = row[0].string,
      let selector = try? DeviceSelector(serializedBytes: row[6].bytes ?? []),
      let strategy = try? RolloutStrategy(serializedBytes: row[7].bytes ?? [])
    else { return nil }
    self.id = id
    sequence = row[1].int64 ?? 0
    model = row[2].string ?? ""
    version = row[3].int64 ?? 0
    alias = row[4].string ?? ""
    aliasPreviousVersion = row[5].int64 ?? 0
    self.selector = selector
    self.strategy = strategy
    state = DeploymentState(rawValue: Int32(row[8].int64 ?? 0))
    currentStage = row[9].int ?? 0
    soakStartedAt = row[10].double
    stateMessage = row[11].string ?? ""
    createdBy = row[12].string ?? ""
    createdAt = row[13].double ?? 0
    updatedAt = row[14].double ?? 0
  }

  init(
    id: String, sequence: Int64, model: String, version: Int64, alias: String,
    aliasPreviousVersion: Int64, selector: DeviceSelector, strategy: RolloutStrategy,
    createdBy: String, at time: Double
  ) {
    self.id = id
    self.sequence = sequence
    self.model = model
    self.version = version
    self.alias = alias
    self.aliasPreviousVersion = aliasPreviousVersion
    self.selector = selector
    self.strategy = strategy
    state = .rollingOut
    currentStage = 0
    soakStartedAt = nil
    stateMessage = ""
    self.createdBy = createdBy
    createdAt = time
    updatedAt = time
  }
}
