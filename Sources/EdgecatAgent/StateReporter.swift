import EdgecatCore
import EdgecatLog
import EdgecatProto
import EdgecatRPC
import Synchronization

public typealias ReportedModel = Edgecat_Registry_V1_ReportedModel

/// Sends the device's model state to the registry with ReportDeviceState. Only the newest
/// report matters, because each replaces the one before: a failed send is retried with
/// backoff until it succeeds or a newer report replaces it. Thread-safe.
public final class StateReporter: Sendable {
  private struct State {
    var pending: [ReportedModel]?
    var delivered: [ReportedModel]?
  }

  let uplink: Uplink
  private let state = Mutex(State())
  private let wakeup = Wakeup()
  let logger = Logger(component: "reporter")

  init(uplink: Uplink) {
    self.uplink = uplink
  }

  /// Queues `models` as the device's state, replacing any report not yet sent.
  func submit(_ models: [ReportedModel]) {
    state.withLock { $0.pending = models }
    wakeup.notify()
  }

  /// The last report the registry accepted.
  public var delivered: [ReportedModel]? { state.withLock { $0.delivered } }

  /// Sends reports until the task is cancelled.
  func run() async {
    var backoff = Backoff()
    while !Task.isCancelled {
      guard let models = state.withLock({ $0.pending }) else {
        await wakeup.wait()
        continue
      }
      var request = Edgecat_Registry_V1_ReportDeviceStateRequest()
      request.deviceID = uplink.deviceID
      request.models = models
      request.agentVersion = AgentVersion.current
      do {
        let _: Edgecat_Registry_V1_ReportDeviceStateResponse = try await uplink.callRegistry(
          "ReportDeviceState", request)
        state.withLock { state in
          if state.pending == models { state.pending = nil }
          state.delivered = models
        }
        backoff.reset()
        logger.info("device state reported", ["models": Self.summary(models)])
      } catch {
        // A call cut short by the agent stopping is no failure to report.
        if Task.isCancelled { break }
        let delay = backoff.nextDelay()
        if backoff.failures == 1 || backoff.failures % 10 == 0 {
          logger.warning(
            "state report failed",
            ["error": "\(error)", "failures": backoff.failures, "retry_in_ms": delay.milliseconds])
        }
        await wakeup.wait(timeout: delay)
      }
    }
  }

  /// Text such as "main.ml.defects@3=RUNNING" for logs.
  static func summary(_ models: [ReportedModel]) -> String {
    models.map { "\($0.modelFullName)@\($0.version)=\($0.state)" }.joined(separator: ",")
  }
}
