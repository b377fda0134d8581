import EdgecatLog
import EdgecatProto
import EdgecatRPC

/// Sends a Heartbeat to telemetry every interval, with the agent version, resource figures and
/// the spool's depth. A failed heartbeat is logged and the next one goes out on schedule.
/// Telemetry returns the principal the token authenticated as. When that is not the device's
/// own `device:<id>`, as with an admin's token, the heartbeater logs it, calls
/// `onForeignPrincipal` with the principal once and stops. A heartbeat that telemetry denies,
/// as it does another device's token, does the same with an empty principal.
public final class Heartbeater: Sendable {
  let uplink: Uplink
  let spool: Spool
  let interval: Duration
  let dataDirectory: String
  let onForeignPrincipal: @Sendable (String) -> Void
  let logger = Logger(component: "heartbeat")

  public init(
    uplink: Uplink, spool: Spool, interval: Duration, dataDirectory: String,
    onForeignPrincipal: @escaping @Sendable (String) -> Void = { _ in }
  ) {
    self.uplink = uplink
    self.spool = spool
    self.interval = interval
    self.dataDirectory = dataDirectory
    self.onForeignPrincipal = onForeignPrincipal
  }

  /// The principal an agent for `deviceID` must authenticate as.
  public static func devicePrincipal(_ deviceID: String) -> String { "device:" + deviceID }

  /// Heartbeats until the task is cancelled or the token turns out to be another principal's.
  /// A nonzero `next_heartbeat_ms` in a response sets
  /// the delay before the next one.
  public func run() async {
    var figures = ProcessFigures()
    var failures = 0
    while !Task.isCancelled {
      var delay = interval
      do {
        let response = try await beat(&figures)
        let expected = Self.devicePrincipal(uplink.deviceID)
        if !response.principal.isEmpty, response.principal != expected {
          logger.error(
            "the agent's token belongs to another principal; start the agent with the token of"
              + " \(expected) (--token-file)",
            ["principal": response.principal, "device_id": uplink.deviceID])
          onForeignPrincipal(response.principal)
          return
        }
        if failures > 0 {
          logger.info("heartbeats delivered again", ["failed_before": failures])
        }
        failures = 0
        if response.nextHeartbeatMs > 0 { delay = .milliseconds(Int64(response.nextHeartbeatMs)) }
      } catch where error.code == .permissionDenied {
        // Telemetry takes a device's heartbeat from its own principal, services and admins, so
        // a denial means the token belongs to another device or to a user.
        let expected = Self.devicePrincipal(uplink.deviceID)
        logger.error(
          "telemetry denied the heartbeat; start the agent with the token of \(expected)"
            + " (--token-file)",
          ["device_id": uplink.deviceID, "error": "\(error)"])
        onForeignPrincipal("")
        return
      } catch {
        if Task.isCancelled { break }
        failures += 1
        // One line for the first failure and then one per ten, so that an offline device
        // does not fill its log.
        if failures == 1 || failures % 10 == 0 {
          logger.warning("heartbeat failed", ["error": "\(error)", "failures": failures])
        }
      }
      try? await Task.sleep(for: delay)
    }
  }

  /// Sends one heartbeat now.
  @discardableResult
  public func beat() async throws(RPCError) -> Edgecat_Telemetry_V1_HeartbeatResponse {
    var figures = ProcessFigures()
    return try await beat(&figures)
  }

  private func beat(_ figures: inout ProcessFigures) async throws(RPCError)
    -> Edgecat_Telemetry_V1_HeartbeatResponse
  {
    let spooled = spool.statistics
    var request = Edgecat_Telemetry_V1_HeartbeatRequest()
    request.deviceID = uplink.deviceID
    request.sentAtMs = wallClockMilliseconds()
    request.agentVersion = AgentVersion.current
    request.cpuPercent = figures.cpuPercentSinceLastCall()
    request.memoryBytes = ProcessFigures.residentBytes()
    request.diskFreeBytes = ProcessFigures.freeBytes(at: dataDirectory)
    request.spoolBytes = spooled.bytes
    request.spoolRecords = spooled.records
    request.spoolFull = spooled.full
    let response: Edgecat_Telemetry_V1_HeartbeatResponse = try await uplink.callTelemetry(
      "Heartbeat", request)
    // Heartbeats carry no quarantine count, so the log shows it at each beat while it is
    // above zero.
    logger.log(
      spooled.quarantined > 0 ? .info : .debug, "heartbeat sent",
      [
        "spool_records": spooled.records, "spool_quarantined": spooled.quarantined,
        "spool_full": spooled.full,
      ])
    return response
  }
}

/// The agent's version, sent in heartbeats and state reports.
public enum AgentVersion {
  public static let current = "0.1.0"
}
