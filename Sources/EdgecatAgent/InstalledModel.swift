/// A model version the agent has as a verified file, or is downloading.
public struct InstalledModel: Sendable, Hashable, CustomStringConvertible {
  /// "catalog.schema.model".
  public var modelFullName: String
  public var version: Int64
  /// 64 lower-case hex digits; the file is `models/<sha256>`.
  public var sha256: String
  /// The artifact's format, such as "onnx".
  public var format: String
  /// The generation of the desired state that asked for this model, 0 when unknown.
  public var desiredGeneration: UInt64

  public init(
    modelFullName: String, version: Int64, sha256: String, format: String,
    desiredGeneration: UInt64 = 0
  ) {
    self.modelFullName = modelFullName
    self.version = version
    self.sha256 = sha256
    self.format = format
    self.desiredGeneration = desiredGeneration
  }

  public var description: String { "\(modelFullName) version \(version)" }

  /// True when both name the same version with the same artifact.
  func isSameVersion(as other: InstalledModel) -> Bool {
    modelFullName == other.modelFullName && version == other.version && sha256 == other.sha256
  }
}

/// The model slots the agent keeps across restarts.
struct ModelSlots: Sendable, Equatable {
  /// The model the application confirmed it loaded, and that passed the health command.
  var running: InstalledModel?
  /// The model that ran before `running`; its file is kept for going back.
  var previous: InstalledModel?
  /// A verified model assigned to the application and not yet confirmed.
  var candidate: InstalledModel?
}
