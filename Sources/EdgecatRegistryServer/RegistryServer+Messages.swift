import EdgecatCore
import EdgecatProto
import EdgecatRegistry

typealias RegisteredModelMessage = Edgecat_Registry_V1_RegisteredModel

extension RegistryServer {
  /// A registered model from its catalog entry and, when given, its tags, aliases and latest
  /// READY version.
  func modelMessage(
    _ hosted: HostedObjectInfo, tags: [TagMessage] = [], aliases: [AliasRecord] = [],
    latestVersion: Int64? = nil
  ) -> RegisteredModelMessage {
    var model = RegisteredModelMessage()
    model.fullName = hosted.fullName
    model.owner = hosted.owner
    model.comment = hosted.comment
    model.catalogName = hosted.catalogName
    model.schemaName = hosted.schemaName
    model.name = hosted.name
    model.tags = tags
    model.aliases = aliases.map { alias in
      var message = Edgecat_Registry_V1_ModelAlias()
      message.alias = alias.alias
      message.version = alias.version
      return message
    }
    model.latestVersion = latestVersion ?? 0
    model.audit = hosted.audit
    return model
  }

  func versionMessage(_ record: ModelVersionRecord) -> ModelVersionMessage {
    var message = record.details
    message.modelFullName = record.model
    message.version = record.version
    message.status =
      switch record.status {
      case .pendingRegistration: .pendingRegistration
      case .ready: .ready
      case .failedRegistration: .failedRegistration
      }
    message.statusMessage = record.statusMessage
    message.artifactSha256 = record.artifactSHA256
    message.artifactSize = record.artifactSize
    message.aliases = record.aliases
    message.rolledBackAt = record.rolledBackAt.map(DatetimeText.format) ?? ""
    message.rollbackCause = record.rollbackCause
    message.createdBy = record.createdBy
    message.createdAt = DatetimeText.format(record.createdAt)
    message.updatedAt = DatetimeText.format(record.updatedAt)
    return message
  }
}
