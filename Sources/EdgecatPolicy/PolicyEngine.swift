import EdgecatCrypto
import EdgecatLog
import EdgecatStore
import Synchronization

/// The policy service's logic: principals, tokens, the securable tree, grants, bindings and
/// decisions. Thread-safe: checks read an immutable in-memory model under a short lock, and
/// writes are serialized, committed to SQLite with their audit event, then published.
public final class PolicyEngine: Sendable {
  let store: Store
  let options: PolicyOptions
  let logger = Logger(component: "policy")
  private let current: Mutex<PolicySnapshot>
  let changeLog: Mutex<ChangeLog>
  let writeLock = WriteLock()
  let decisionSerial = Atomic<UInt64>(0)
  /// Authentications of the current revision, so a token seen again skips hashing and group
  /// listing; any write starts it afresh.
  let authenticationCache = Mutex(AuthenticationCache())
  let decisionLog: DecisionLog
  /// A random prefix that makes decision ids unique across restarts.
  let decisionPrefix: String

  private init(store: Store, model: PolicyModel, changes: [ChangeRecord], options: PolicyOptions)
    throws
  {
    self.store = store
    self.options = options
    current = Mutex(PolicySnapshot(model))
    changeLog = Mutex(
      ChangeLog(capacity: options.changeLogCapacity, revision: model.revision, records: changes))
    decisionPrefix = "dec-" + Hex.encode(try SecureRandom.bytes(count: 6)) + "-"
    decisionLog = DecisionLog(
      store: store, options: options.decisionLog, clock: options.clock,
      logger: Logger(component: "policy"))
  }

  /// Opens or creates the policy database at `path`, applies its migrations and loads the
  /// model into memory.
  public static func open(
    path: String, options: PolicyOptions = PolicyOptions()
  ) async throws -> PolicyEngine {
    let store = try await Store.open(
      path: path, migrations: PolicySchema.migrations, options: options.store)
    do {
      let capacity = options.changeLogCapacity
      let (model, changes) = try await store.read { db in
        try PolicyModel.load(from: db, capacity: capacity)
      }
      let engine = try PolicyEngine(
        store: store, model: model, changes: changes, options: options)
      try await engine.decisionLog.convertRows()
      engine.decisionLog.start()
      engine.logger.info(
        "policy model loaded",
        [
          "revision": model.revision, "principals": model.principalIDs.count,
          "securables": model.securableIDs.count,
        ])
      return engine
    } catch {
      store.close()
      throw error
    }
  }

  /// Writes the queued decisions of the decision log, then closes the database after queued
  /// writes finish; later writes fail. Blocks the calling thread until then.
  public func close() {
    decisionLog.close()
    store.close()
  }

  /// The published model; never changes after it is returned.
  var snapshot: PolicySnapshot { current.withLock { $0 } }

  func publish(_ model: PolicyModel, changes: [ChangeRecord]) {
    current.withLock { $0 = PolicySnapshot(model) }
    changeLog.withLock { $0.append(changes, revision: model.revision) }
  }

  /// The revision of the last committed write.
  public var revision: UInt64 { snapshot.model.revision }

  /// Returns the change records after revision `since`, oldest first, or throws OUT_OF_RANGE
  /// when `since` is older than the kept window or newer than the current revision.
  public func changes(since: UInt64) throws(PolicyError) -> [ChangeRecord] {
    try changeLog.withLock { (log) throws(PolicyError) in try log.changes(since: since) }
  }

  /// Decides one check from the in-memory model; no database access.
  public func check(_ request: CheckRequest) throws(PolicyError) -> Decision {
    // Keeping the snapshot alive lets the model be passed without copying it, which would
    // retain each of its collections.
    let snapshot = self.snapshot
    return try withExtendedLifetime(snapshot) { () throws(PolicyError) -> Decision in
      try decide(request, in: snapshot.model)
    }
  }

  /// Returns a new serial number for a repeat of a decision made at `revision` while the policy
  /// is still at that revision, so that a caller that already decided the same request need
  /// not decide it again. Returns nil once a write has moved the revision.
  public func repeatSerial(atRevision revision: UInt64) -> UInt64? {
    guard snapshot.model.revision == revision else { return nil }
    return decisionSerial.add(1, ordering: .relaxed).newValue
  }

  /// Decides `requests` in order, all at one revision. Throws the first invalid request's
  /// error, naming its position.
  public func batchCheck(_ requests: [CheckRequest]) throws(PolicyError) -> [Decision] {
    let model = snapshot.model
    var decisions: [Decision] = []
    decisions.reserveCapacity(requests.count)
    for (index, request) in requests.enumerated() {
      do {
        decisions.append(try decide(request, in: model))
      } catch {
        throw PolicyError(code: error.code, message: "check \(index): \(error.message)")
      }
    }
    return decisions
  }

  func decide(_ request: CheckRequest, in model: PolicyModel) throws(PolicyError) -> Decision {
    try requireRevision(request.minimumRevision, in: model)
    let principal = try model.requirePrincipal(request.principal)
    let target = try lookUpSecurable(request.securable, type: request.securableType, in: model)
    try requireCheckable(request.privilege, on: target)
    let outcome = model.evaluate(principal, .privilege(request.privilege), on: target)
    return makeDecision(
      outcome, principal: principal, privilege: request.privilege, target: target, in: model)
  }

  func makeDecision(
    _ outcome: Outcome, principal: PrincipalEntry, privilege: Privilege,
    target: SecurableEntry, in model: PolicyModel, isManagement: Bool = false
  ) -> Decision {
    let serial = decisionSerial.add(1, ordering: .relaxed).newValue
    var source: PrivilegeSource?
    var missing: [MissingPrivilege] = []
    let allowed: Bool
    switch outcome {
    case .allowed(let holding):
      source = model.source(holding, principal: principal, target: target)
      allowed = true
    case .denied(let gaps):
      missing = model.missingPrivileges(gaps)
      allowed = false
    }
    return Decision(
      allowed: allowed, principal: principal.name, privilege: privilege,
      securable: target.fullName, securableType: target.type, revision: model.revision,
      source: source, missing: missing, isManagement: isManagement, serial: serial,
      idPrefix: decisionPrefix)
  }

  /// Finds a securable by its stored lower case name first, which skips validation on the
  /// check path, and validates the name only when that lookup misses.
  func lookUpSecurable(
    _ text: String, type: SecurableType?, in model: PolicyModel
  ) throws(PolicyError) -> SecurableEntry {
    if let id = model.securableIDs[text], let entry = model.securables[Int(id)],
      type == nil || entry.type == type
    {
      return entry
    }
    if type == .metastore, text.isEmpty { return model.securable(PolicyModel.metastoreID) }
    return try model.requireSecurable(text, type: type)
  }

  func requireRevision(_ minimum: UInt64, in model: PolicyModel) throws(PolicyError) {
    guard minimum > model.revision else { return }
    throw PolicyError(
      code: .outOfRange,
      message: "minimum revision \(minimum) is newer than the current revision"
        + " \(model.revision); pass a revision this service returned")
  }

  func requireCheckable(_ privilege: Privilege, on target: SecurableEntry) throws(PolicyError) {
    guard !target.type.checkablePrivileges.contains(privilege) else { return }
    let names = target.type.checkablePrivileges.privileges.map(\.rawValue)
    throw .invalidArgument(
      "privilege \(privilege.rawValue) does not apply to \(target.label); use one of"
        + " \(names.joined(separator: ", "))")
  }
}
