import EdgecatCore
import EdgecatCrypto
import EdgecatLog
import EdgecatRegistry

/// Advances every rolling-out deployment once per interval. Each step updates the devices
/// from their reports and the stage timeout, halts at the error threshold, or waits out the
/// soak time and starts the next stage, whose lineage the engine queues in the outbox.
public final class RolloutScheduler: Sendable {
  private let engine: RegistryEngine
  private let interval: Duration
  /// The principal recorded in the audit events of the steps.
  private let principal: String
  /// The environment the lineage calls of the steps carry, because they run outside any
  /// request.
  private let environment: String?
  private let eventIDs: AuditEventIDs
  private let logger = Logger(component: "rollout")

  /// Throws when the system's random source fails, which the audit event ids need.
  public init(
    engine: RegistryEngine, interval: Duration, principal: String, environment: String? = nil
  ) throws {
    self.engine = engine
    self.interval = interval
    self.principal = principal
    self.environment = environment
    eventIDs = AuditEventIDs(randomBytes: try SecureRandom.bytes(count: 8))
  }

  /// Runs until the task is cancelled.
  public func run() async {
    while !Task.isCancelled {
      do {
        try await Task.sleep(for: interval)
      } catch {
        return
      }
      await step()
    }
  }

  /// Takes one step of every rolling-out deployment. A failure is logged, and the next
  /// interval tries again.
  func step() async {
    let ids: [String]
    do {
      ids = try await engine.rollingOutDeployments()
    } catch {
      logger.error("listing deployments to advance failed", ["error": "\(error)"])
      return
    }
    for id in ids {
      let audit = AuditRecord(
        id: eventIDs.next(), time: engine.clock(), action: "AdvanceDeployment",
        principal: principal, securable: nil, parameters: "{}", result: "OK",
        requestID: "rollout-\(id)", peer: "")
      do {
        let lineage = LineageCaller(
          principal: nil, requestID: audit.requestID, environment: environment)
        guard let progress = try await engine.advanceDeployment(id, audit: audit, lineage: lineage)
        else { continue }
        let deployment = progress.deployment
        if deployment.state != .rollingOut {
          logger.info(
            "deployment finished",
            ["deployment": id, "state": deployment.state.name, "reason": deployment.stateMessage])
        } else if !progress.targeted.isEmpty {
          logger.info(
            "deployment stage started",
            [
              "deployment": id, "stage": deployment.currentStage + 1,
              "version": deployment.version, "devices": progress.targeted.count,
            ])
        }
      } catch {
        logger.error("advancing a deployment failed", ["deployment": id, "error": "\(error)"])
      }
    }
  }
}
