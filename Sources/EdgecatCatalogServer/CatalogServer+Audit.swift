import EdgecatCatalog
import EdgecatCore
import EdgecatCrypto
import EdgecatRPC

extension CatalogServer {
  /// Returns the audit event of one call made by `caller`. A call a service made for an end
  /// user names that service as `caller` among the parameters.
  func auditRecord(
    _ caller: Caller, _ action: String, _ securable: String?,
    _ parameters: [(String, String)], result: String = "OK"
  ) -> AuditRecord {
    var parameters = parameters
    if caller.identity.caller != caller.principal {
      parameters.append(("caller", caller.identity.caller))
    }
    return AuditRecord(
      id: eventIDs.next(), time: engine.clock(), action: action,
      principal: caller.principal, securable: securable,
      parameters: encodeJSONObject(parameters), result: result, requestID: caller.requestID,
      peer: caller.peer)
  }

  /// Runs a metadata read and queues its audit event, OK or the failure's status code.
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
  /// the change; a failure's event is queued with its status code.
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
