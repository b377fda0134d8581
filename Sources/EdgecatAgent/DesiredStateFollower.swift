import EdgecatLog
import EdgecatProto
import EdgecatRPC

/// Follows the device's desired state in the registry: GetDesiredState once, then a
/// WatchDesiredState stream, opened again after an exponential backoff whenever it breaks.
/// Every state received goes to the model manager.
public final class DesiredStateFollower: Sendable {
  let uplink: Uplink
  let manager: ModelManager
  let backoffLimit: Duration
  let logger = Logger(component: "desired-state")

  public init(uplink: Uplink, manager: ModelManager, backoffLimit: Duration = .seconds(5)) {
    self.uplink = uplink
    self.manager = manager
    self.backoffLimit = backoffLimit
  }

  /// Follows until the task is cancelled.
  public func run() async {
    await checkRegistration()
    var request = Edgecat_Registry_V1_GetDesiredStateRequest()
    request.deviceID = uplink.deviceID
    do {
      let state: DesiredState = try await uplink.callRegistry("GetDesiredState", request)
      await manager.offer(state)
    } catch {
      if Task.isCancelled { return }
      logger.warning("reading the desired state failed", ["error": "\(error)"])
    }
    var backoff = Backoff(maximum: backoffLimit)
    while !Task.isCancelled {
      let (received, reason) = await watch()
      if Task.isCancelled { break }
      if received > 0 { backoff.reset() }
      let delay = backoff.nextDelay()
      // One line for the first failure and then one per ten, so that a long outage does not
      // fill the log.
      let level: LogLevel = backoff.failures % 10 == 1 ? .warning : .debug
      logger.log(
        level, "desired state stream ended, reconnecting",
        ["reason": reason, "retry_in_ms": delay.milliseconds, "failures": backoff.failures])
      try? await Task.sleep(for: delay)
    }
  }

  /// Logs whether the registry knows this device, so that a device that was never
  /// registered, or a token of another device, shows in the log at start.
  private func checkRegistration() async {
    var request = Edgecat_Registry_V1_GetDeviceRequest()
    request.deviceID = uplink.deviceID
    do {
      let device: Edgecat_Registry_V1_Device = try await uplink.callRegistry("GetDevice", request)
      logger.info(
        "device registered",
        ["device_id": device.deviceID, "group": device.group, "region": device.region])
    } catch {
      if Task.isCancelled { return }
      let hint: String =
        switch error.code {
        case .notFound: "an admin must register the device in the registry"
        case .unauthenticated, .permissionDenied:
          "--token-file must hold a token of device:\(uplink.deviceID)"
        default: "the agent keeps retrying the registry"
        }
      logger.error(
        "device check failed",
        ["device_id": uplink.deviceID, "error": "\(error)", "hint": hint])
    }
  }

  /// Runs one stream and returns the number of states received and why it ended.
  private func watch() async -> (Int, String) {
    var request = Edgecat_Registry_V1_WatchDesiredStateRequest()
    request.deviceID = uplink.deviceID
    let call: TypedCall<Edgecat_Registry_V1_WatchDesiredStateRequest, DesiredState> =
      uplink.registry.makeCall(
        Uplink.registryPath("WatchDesiredState"), metadata: uplink.metadata)
    var received = 0
    do {
      try await withTaskCancellationHandler {
        try await call.send(request)
        call.closeSend()
        for try await state in call.responses {
          if received == 0 { logger.info("desired state stream open") }
          received += 1
          await manager.offer(state)
        }
      } onCancel: {
        call.cancel()
      }
      return (received, "the registry ended the stream with \(await call.status)")
    } catch {
      return (received, "\(error)")
    }
  }
}
