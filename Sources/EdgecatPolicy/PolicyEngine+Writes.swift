import EdgecatCore
import EdgecatCrypto
import EdgecatStore

/// The action, securable and parameters a write records in its audit event.
struct AuditDetails: Sendable {
  var action: String
  var securable: String?
  var parameters: [(String, String)]
}

extension PolicyEngine {
  /// Runs `body` on a copy of the model under the write lock, commits its statements with the
  /// new revision, change records and audit event in one transaction, then publishes the copy.
  /// A failure of `body` is audited with its error code and rethrown.
  func performWrite<T>(
    _ details: AuditDetails, context: RequestContext,
    _ body: (inout PolicyModel, inout PendingWrite) throws -> T
  ) async throws -> (value: T, result: WriteResult) {
    await writeLock.lock()
    defer { writeLock.unlock() }

    var model = snapshot.model
    var pending = PendingWrite()
    let value: T
    do {
      value = try body(&model, &pending)
    } catch let error as PolicyError {
      await auditFailure(details, context, result: error.code.rawValue, model.revision)
      throw error
    }

    let changed = pending.isChange
    if changed { model.revision += 1 }
    let revision = model.revision
    let records = pending.records(revision: revision)
    let statements = pending.statements
    let audit = try auditRow(details, context, result: changed ? "OK" : "OK_NO_CHANGE", revision)
    let capacity = Int64(options.changeLogCapacity)
    do {
      try await store.write { db in
        for statement in statements { try db.execute(statement.sql, statement.values) }
        if changed {
          try db.execute(
            "UPDATE policy_meta SET value = ? WHERE key = 'revision'", .text(String(revision)))
          for record in records {
            try db.execute(
              "INSERT INTO changes (revision, kind, principal, securable) VALUES (?, ?, ?, ?)",
              .integer(Int64(revision)), .text(record.kind.rawValue), SQLValue(record.principal),
              SQLValue(record.securable))
          }
          try db.execute(
            "DELETE FROM changes WHERE revision <= ?", .integer(Int64(revision) - capacity))
        }
        try PolicyEngine.insertAudit(audit, into: db)
      }
    } catch {
      logger.error("write failed", ["action": details.action, "error": "\(error)"])
      throw PolicyError.storage(error, operation: details.action)
    }
    if changed { publish(model, changes: records) }
    return (value, WriteResult(revision: revision, changed: changed))
  }

  /// Records a rejected write. A failure here is logged, so the caller sees the rejection.
  private func auditFailure(
    _ details: AuditDetails, _ context: RequestContext, result: String, _ revision: UInt64
  ) async {
    do {
      let audit = try auditRow(details, context, result: result, revision)
      try await store.write { db in try PolicyEngine.insertAudit(audit, into: db) }
    } catch {
      logger.error("audit write failed", ["action": details.action, "error": "\(error)"])
    }
  }

  private func auditRow(
    _ details: AuditDetails, _ context: RequestContext, result: String, _ revision: UInt64
  ) throws -> AuditEvent {
    let id: String
    do {
      id = "evt-" + Hex.encode(try SecureRandom.bytes(count: 12))
    } catch {
      throw PolicyError(code: .internal, message: "generating an audit event id failed: \(error)")
    }
    return AuditEvent(
      id: id, time: options.clock(), action: details.action, principal: context.principal,
      securable: details.securable, parameters: encodeJSONObject(details.parameters),
      result: result, requestID: context.requestID, revision: revision, peer: context.peer)
  }

  private static func insertAudit(_ event: AuditEvent, into db: Database) throws {
    try db.execute(
      "INSERT INTO audit_events (id, time, action, principal, securable, parameters, result,"
        + " request_id, revision, peer) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      .text(event.id), .real(event.time), .text(event.action), .text(event.principal),
      SQLValue(event.securable.map(AuditEventFilter.normalizedSecurable)),
      .text(event.parameters), .text(event.result), .text(event.requestID),
      .integer(Int64(event.revision)), .text(event.peer))
  }

  /// Returns the newest audit events, newest first, up to `limit`.
  public func auditEvents(limit: Int = 100) async throws -> [AuditEvent] {
    let rows = try await store.read { db in
      try db.query(
        "SELECT id, time, action, principal, securable, parameters, result, request_id,"
          + " revision FROM audit_events ORDER BY time DESC, rowid DESC LIMIT ?",
        .integer(Int64(max(0, limit))))
    }
    return rows.map { row in
      AuditEvent(
        id: row[0].string ?? "", time: row[1].double ?? 0, action: row[2].string ?? "",
        principal: row[3].string ?? "", securable: row[4].string,
        parameters: row[5].string ?? "{}", result: row[6].string ?? "",
        requestID: row[7].string ?? "", revision: UInt64(row[8].int64 ?? 0))
    }
  }

  /// Returns the acting principal, or throws PERMISSION_DENIED when it does not exist.
  func requireActor(
    _ context: RequestContext, in model: PolicyModel
  ) throws(PolicyError) -> PrincipalEntry {
    guard let actor = model.principal(named: context.principal) else {
      throw .permissionDenied(
        "principal '\(context.principal)' making the request does not exist; authenticate as a"
          + " registered principal")
    }
    return actor
  }

  /// Throws PERMISSION_DENIED unless the actor is a metastore admin or, when `services` is
  /// set, a member of `edgecat-services`.
  func requireAdmin(
    _ actor: PrincipalEntry, in model: PolicyModel, orService services: Bool, for action: String
  ) throws(PolicyError) {
    if actor.closure.contains(model.adminsID) { return }
    if services, actor.closure.contains(model.servicesID) { return }
    let allowed = services ? "metastore admins and members of edgecat-services" : "metastore admins"
    throw .permissionDenied("\(actor.name) may not \(action); only \(allowed) may")
  }
}
