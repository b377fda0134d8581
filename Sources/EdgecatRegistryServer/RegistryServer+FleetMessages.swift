import EdgecatCore
import EdgecatProto
import EdgecatRegistry

extension RegistryServer {
  func deviceMessage(_ record: DeviceRecord) -> DeviceMessage {
    var message = record.details
    message.reportedModels = record.report?.models ?? []
    message.agentVersion = record.report?.agentVersion ?? ""
    message.reportedAt = record.reportedAt.map(DatetimeText.format) ?? ""
    message.createdAt = DatetimeText.format(record.createdAt)
    message.updatedAt = DatetimeText.format(record.updatedAt)
    return message
  }

  func desiredStateMessage(_ record: DesiredStateRecord) -> Edgecat_Registry_V1_DesiredState {
    var message = Edgecat_Registry_V1_DesiredState()
    message.deviceID = record.deviceID
    message.models = record.models
    message.generation = record.generation
    message.updatedAt = record.updatedAt.map(DatetimeText.format) ?? ""
    return message
  }

  /// Returns a deployment's message, with its devices unless `withDevices` is false.
  func deploymentMessage(_ record: DeploymentRecord, withDevices: Bool = true)
    -> Edgecat_Registry_V1_Deployment
  {
    var message = Edgecat_Registry_V1_Deployment()
    message.deploymentID = record.id
    message.modelFullName = record.model
    message.version = record.version
    message.alias = record.alias
    message.aliasPreviousVersion = record.aliasPreviousVersion
    message.selector = record.selector
    message.strategy = record.strategy
    message.state = record.state
    message.currentStage = Int32(record.currentStage)
    message.stateMessage = record.stateMessage
    message.createdBy = record.createdBy
    message.createdAt = DatetimeText.format(record.createdAt)
    message.updatedAt = DatetimeText.format(record.updatedAt)
    guard withDevices else { return message }
    message.devices = record.devices.map { device in
      var entry = Edgecat_Registry_V1_DeploymentDevice()
      entry.deviceID = device.deviceID
      entry.stage = Int32(device.stage)
      entry.state = device.state
      entry.previousVersion = device.previousVersion
      entry.targetVersion = device.targetVersion
      entry.message = device.message
      entry.updatedAt = DatetimeText.format(device.updatedAt)
      return entry
    }
    return message
  }
}
