import EdgecatCore
import EdgecatRPC
import EdgecatServiceKit

extension RegistryServer {
  /// Returns the audit event of one call made by `caller`.
  func auditRecord(
    _ caller: Caller, _ action: String, _ securable: String?,
    _ parameters: [(String, String)], result: String = "OK"
  ) -> AuditRecord {
    auditor.record(
      caller.identity, peer: caller.peer, action, securable, parameters, result: result)
  }

  /// Runs a read and queues its audit event, OK or the failure's status code.
  func auditedRead<Value>(
    _ caller: Caller, _ action: String, _ securable: String?,
    _ parameters: [(String, String)] = [],
    _ body: () async throws(RPCError) -> Value
  ) async throws(RPCError) -> Value {
    try await auditor.read(
      caller.identity, peer: caller.peer, action, securable, parameters, body)
  }

  /// Runs a mutation. `body` gets the audit event of success, which the engine commits with
  /// the change, and a failure's event is queued with its status code.
  func auditedWrite<Value>(
    _ caller: Caller, _ action: String, _ securable: String?,
    _ parameters: [(String, String)] = [],
    _ body: (AuditRecord) async throws(RPCError) -> Value
  ) async throws(RPCError) -> Value {
    try await auditor.write(
      caller.identity, peer: caller.peer, action, securable, parameters, body)
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
