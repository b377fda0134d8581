import EdgecatCore
import EdgecatRPC

extension RegistryServer {
  /// Returns the audit event of one call made by `caller`.
  func auditRecord(
    _ caller: Caller, _ action: String, _ securable: String?,
    _ parameters: [(String, String)], result: String = "OK"
  ) -> AuditRecord {
    AuditRecord(
      id: eventIDs.next(), time: engine.clock(), action: action,
      principal: caller.principal, securable: securable,
      parameters: encodeJSONObject(parameters), result: result, requestID: caller.requestID,
      peer: caller.peer)
  }

  /// Runs a read and queues its audit event, OK or the failure's status code.
  func auditedRead<Value>(
    _ caller: Caller, _ action: String, _ securable: String?,
    _ parameters: [(String, String)] = [],
    _ body: () async throws(RPCError) -> Value
  ) async throws(RPCError) -> Value {
    do {
      let value = try await body()
      engine.auditBuffer.append(auditRecord(caller, action, securable, parameters))
      return value
    } catch {
      engine.auditBuffer.append(
        auditRecord(caller, action, securable, parameters, result: error.code.description))
      throw error
    }
  }

  /// Runs a mutation. `body` gets the audit event of success, which the engine commits with
  /// the change, and a failure's event is queued with its status code.
  func auditedWrite<Value>(
    _ caller: Caller, _ action: String, _ securable: String?,
    _ parameters: [(String, String)] = [],
    _ body: (AuditRecord) async throws(RPCError) -> Value
  ) async throws(RPCError) -> Value {
    do {
      return try await body(auditRecord(caller, action, securable, parameters))
    } catch {
      engine.auditBuffer.append(
        auditRecord(caller, action, securable, parameters, result: error.code.description))
      throw error
    }
  }
}

extension RegistryServer {
  /// Runs a change that only the catalog stores, such as a comment or a tag, and queues its
  /// audit event, because this service has no row to commit the event with.
  func auditedForward<Value>(
    _ caller: Caller, _ action: String, _ securable: String?,
    _ parameters: [(String, String)] = [],
    _ body: () async throws(RPCError) -> Value
  ) async throws(RPCError) -> Value {
    try await auditedRead(caller, action, securable, parameters, body)
  }
}
