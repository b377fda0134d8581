import EdgecatCore
import EdgecatCrypto
import EdgecatLog
import EdgecatProto
import EdgecatRPC
import EdgecatRegistry
import EdgecatServiceKit

/// Deletes the versions, aliases and unshared artifacts of registered models that the policy
/// change stream shows dropped, such as by a schema force drop in the catalog. Each time a new
/// Watch stream connects, it also checks every model this service has state for, because
/// drops made while no stream was open are never delivered. Before deleting, it checks with
/// the policy service whether the name is registered again, so a model re-created under the same
/// name keeps its versions.
public final class ModelDropFollower: Sendable {
  private let engine: RegistryEngine
  private let policy: PolicyClient
  private let events: AsyncStream<PolicyStreamEvent>
  /// The principal recorded in the audit events of these deletes.
  private let principal: String
  private let eventIDs: AuditEventIDs
  private let logger = Logger(component: "registry")

  /// Subscribes to `policy`'s changes at once, so create it before `policy.startWatching()`
  /// to see the first stream connect. Throws when the system's random source fails.
  public init(engine: RegistryEngine, policy: PolicyClient, principal: String) throws {
    self.engine = engine
    self.policy = policy
    self.principal = principal
    eventIDs = AuditEventIDs(randomBytes: try SecureRandom.bytes(count: 8))
    events = policy.changes()
  }

  /// Handles events one at a time until the policy client closes or the task is cancelled.
  public func run() async {
    for await event in events {
      switch event {
      case .connected:
        await sweep()
      case .change(let change) where change.kind == "SECURABLE_DROPPED":
        guard change.securable.split(separator: ".").count == 3 else { continue }
        let known = (try? await engine.hasModel(change.securable)) ?? false
        if known { await deleteIfDropped(change.securable, revision: change.revision) }
      case .change:
        continue
      }
    }
  }

  /// Checks every model with state here against the policy service.
  func sweep() async {
    do {
      for model in try await engine.modelNames() {
        await deleteIfDropped(model, revision: nil)
      }
    } catch {
      logger.error("listing models to check for drops failed", ["error": "\(error)"])
    }
  }

  /// Deletes the model's state unless the policy service has a registered model of that name.
  /// A failed lookup is logged and leaves the state, which the next connect checks again.
  private func deleteIfDropped(_ model: String, revision: UInt64?) async {
    var request = Edgecat_Policy_V1_GetSecurableRequest()
    request.type = .registeredModel
    request.fullName = model
    do {
      let _: Edgecat_Policy_V1_Securable = try await policy.call(
        "GetSecurable", request, requestID: "model-drop")
      return
    } catch  where error.code == .notFound {
      // Dropped: delete below.
    } catch {
      logger.warning(
        "checking a possibly dropped model failed", ["model": model, "error": error.message])
      return
    }
    let audit = AuditRecord(
      id: eventIDs.next(), time: engine.clock(), action: "DeleteDroppedModel",
      principal: principal, securable: model,
      parameters: encodeJSONObject([("revision", revision.map { String($0) } ?? "")]),
      result: "OK", requestID: "model-drop", peer: "")
    do {
      let versions = try await engine.dropModel(model, audit: audit)
      logger.info(
        "deleted the versions of a dropped model", ["model": model, "versions": versions.count])
    } catch {
      logger.error(
        "deleting a dropped model's versions failed", ["model": model, "error": "\(error)"])
    }
  }
}
