import EdgecatCore
import EdgecatRPC

/// Makes the audit events of a service's calls and records them: a read's event is queued in
/// the service's audit buffer, a mutation gets its event to commit with the change, and a
/// failure's event is queued with its status code. A call a service made for an end user names
/// that service as `caller` among the parameters.
public struct CallAuditor: Sendable {
  public let buffer: AuditBuffer
  let eventIDs: AuditEventIDs
  let clock: @Sendable () -> Double

  public init(
    buffer: AuditBuffer, eventIDs: AuditEventIDs, clock: @escaping @Sendable () -> Double
  ) {
    self.buffer = buffer
    self.eventIDs = eventIDs
    self.clock = clock
  }

  /// The audit event of one call by `identity` from `peer`.
  public func record(
    _ identity: CallIdentity, peer: String, _ action: String, _ securable: String?,
    _ parameters: [(String, String)], result: String = "OK"
  ) -> AuditRecord {
    var parameters = parameters
    if identity.caller != identity.principal {
      parameters.append(("caller", identity.caller))
    }
    return AuditRecord(
      id: eventIDs.next(), time: clock(), action: action, principal: identity.principal,
      securable: securable, parameters: encodeJSONObject(parameters), result: result,
      requestID: identity.requestID, peer: peer)
  }

  /// Runs a read and queues its audit event, OK or the failure's status code.
  public func read<Value>(
    _ identity: CallIdentity, peer: String, _ action: String, _ securable: String?,
    _ parameters: [(String, String)] = [],
    _ body: () async throws(RPCError) -> Value
  ) async throws(RPCError) -> Value {
    do {
      let value = try await body()
      buffer.append(record(identity, peer: peer, action, securable, parameters))
      return value
    } catch {
      buffer.append(
        record(
          identity, peer: peer, action, securable, parameters, result: error.code.description))
      throw error
    }
  }

  /// Runs a mutation. `body` gets the audit event of success, to commit with the change.
  public func write<Value>(
    _ identity: CallIdentity, peer: String, _ action: String, _ securable: String?,
    _ parameters: [(String, String)] = [],
    _ body: (AuditRecord) async throws(RPCError) -> Value
  ) async throws(RPCError) -> Value {
    do {
      return try await body(record(identity, peer: peer, action, securable, parameters))
    } catch {
      buffer.append(
        record(
          identity, peer: peer, action, securable, parameters, result: error.code.description))
      throw error
    }
  }
}
