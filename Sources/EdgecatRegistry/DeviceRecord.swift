import EdgecatCore
import EdgecatProto
import EdgecatStore

public typealias DeviceMessage = Edgecat_Registry_V1_Device
public typealias DeviceSelector = Edgecat_Registry_V1_DeviceSelector
public typealias DeviceReport = Edgecat_Registry_V1_ReportDeviceStateRequest

/// One device of the inventory as stored: what an admin registered and what the device last
/// reported.
public struct DeviceRecord: Sendable, Hashable {
  /// The Device message with the id and the fields an admin sets.
  public var details: DeviceMessage
  /// The device's last report, nil when it never reported.
  public var report: DeviceReport?
  /// Seconds since the Unix epoch.
  public var reportedAt: Double?
  public var createdAt: Double
  public var updatedAt: Double

  public var deviceID: String { details.deviceID }

  static let columns = "details, report, reported_at, created_at, updated_at"

  init?(row: Row) {
    guard let details = try? DeviceMessage(serializedBytes: row[0].bytes ?? []) else {
      return nil
    }
    self.details = details
    report = row[1].bytes.flatMap { try? DeviceReport(serializedBytes: $0) }
    reportedAt = row[2].double
    createdAt = row[3].double ?? 0
    updatedAt = row[4].double ?? 0
  }

  init(details: DeviceMessage, at time: Double) {
    self.details = details
    report = nil
    reportedAt = nil
    createdAt = time
    updatedAt = time
  }

  /// Returns the reported state of one model, nil when the device did not report it.
  func reported(_ model: String) -> Edgecat_Registry_V1_ReportedModel? {
    report?.models.first { $0.modelFullName == model }
  }

  /// True when every condition the selector sets holds for this device.
  public func matches(_ selector: DeviceSelector) -> Bool {
    if !selector.group.isEmpty && selector.group != details.group { return false }
    if !selector.deviceIds.isEmpty && !selector.deviceIds.contains(details.deviceID) {
      return false
    }
    return selector.labels.allSatisfy { details.labels[$0.key] == $0.value }
  }
}

/// The rules for device ids and the fields an admin sets.
public enum DeviceRules {
  /// Models one device report may name. A device runs a few models, and the cap bounds the
  /// size of a stored report, which every device listing returns.
  public static let maxReportedModels = 64
  /// Bytes of a reported agent version, such as 1.4.2, at most.
  public static let maxAgentVersionBytes = 128

  /// Checks a device id: 1 to 255 ASCII letters, digits, '_', '-', '.' or ':', the characters
  /// a `device:<id>` principal and lineage node take.
  public static func validateID(_ id: String, field: String = "device_id") throws(ServiceError) {
    guard !id.isEmpty, id.utf8.count <= 255,
      id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "_-.:".contains($0)) })
    else {
      throw .invalidArgument(
        "\(field) \"\(id)\" is invalid; use 1 to 255 ASCII letters, digits, '_', '-', '.' or"
          + " ':'")
    }
  }

  /// Checks the location, region, group and labels: each at most 255 characters, label keys
  /// not empty.
  public static func validate(_ device: DeviceMessage) throws(ServiceError) {
    for (field, value) in [
      ("location", device.location), ("region", device.region), ("group", device.group),
    ] where value.count > 255 {
      throw .invalidArgument("\(field) has \(value.count) characters; the maximum is 255")
    }
    for (key, value) in device.labels where key.isEmpty || key.count > 255 || value.count > 255 {
      throw .invalidArgument(
        "label \"\(key)\" is invalid; keys have 1 to 255 characters and values up to 255")
    }
  }
}
