import EdgecatProto
import EdgecatStore

public typealias ModelVersionMessage = Edgecat_Registry_V1_ModelVersion

/// A version's registration status.
public enum ModelVersionStatus: Int64, Sendable, Hashable {
  case pendingRegistration = 1
  case ready = 2
  case failedRegistration = 3
}

/// One model version as stored. `details` is the version's message with the fields given at
/// creation and its tags, and the other fields are kept in columns of their own.
public struct ModelVersionRecord: Sendable, Hashable {
  public let model: String
  public let version: Int64
  public var status: ModelVersionStatus
  /// Why registration failed, empty otherwise.
  public var statusMessage: String
  /// Lower-case hex SHA-256 of the artifact, empty until READY.
  public var artifactSHA256: String
  public var artifactSize: Int64
  public var details: ModelVersionMessage
  /// Seconds since the Unix epoch when an alert rolled the version back, nil when none did.
  public var rolledBackAt: Double?
  public var rollbackCause: String
  public var createdBy: String
  /// Seconds since the Unix epoch.
  public var createdAt: Double
  public var updatedAt: Double
  /// The aliases that name this version, sorted.
  public var aliases: [String] = []

  static let columns =
    "model, version, status, status_message, artifact_sha256, artifact_size, details,"
    + " rolled_back_at, rollback_cause, created_by, created_at, updated_at"

  /// Reads a row selected with `columns`, in that order. Returns nil for a damaged row.
  init?(row: Row) {
    guard let model = row[0].string, let version = row[1].int64,
      let status = row[2].int64.flatMap(ModelVersionStatus.init(rawValue:)),
      let details = try? ModelVersionMessage(serializedBytes: row[6].bytes ?? [])
    else { return nil }
    self.model = model
    self.version = version
    self.status = status
    statusMessage = row[3].string ?? ""
    artifactSHA256 = row[4].string ?? ""
    artifactSize = row[5].int64 ?? 0
    self.details = details
    rolledBackAt = row[7].double
    rollbackCause = row[8].string ?? ""
    createdBy = row[9].string ?? ""
    createdAt = row[10].double ?? 0
    updatedAt = row[11].double ?? 0
  }

  init(
    model: String, version: Int64, details: ModelVersionMessage, createdBy: String, at time: Double
  ) {
    self.model = model
    self.version = version
    status = .pendingRegistration
    statusMessage = ""
    artifactSHA256 = ""
    artifactSize = 0
    self.details = details
    rolledBackAt = nil
    rollbackCause = ""
    self.createdBy = createdBy
    createdAt = time
    updatedAt = time
  }

  var key: VersionKey { VersionKey(model: model, version: version) }
}
