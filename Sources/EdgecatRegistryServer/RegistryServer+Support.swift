import EdgecatCore
import EdgecatProto
import EdgecatRPC
import EdgecatServiceKit

typealias HostedObjectInfo = Edgecat_Catalog_V1_HostedObjectInfo

extension RegistryServer {
  /// Authenticates the call and resolves its end user and environment.
  func caller(_ context: ServerContext) async throws(RPCError) -> Caller {
    let identity = try await authenticator.identify(context)
    let named = context.metadata[EdgecatMetadata.environment].flatMap { $0.isEmpty ? nil : $0 }
    return Caller(
      identity: identity, peer: context.peer, environment: named ?? environment,
      deadline: context.deadline)
  }

  /// Validates a model's full name, "catalog.schema.model", and folds it to lower case.
  func modelName(_ text: String, field: String = "model_full_name") throws(RPCError) -> String {
    let name = try mapped { () throws(ServiceError) in try SecurableName(text) }
    guard name.parts.count == 3 else {
      throw RPCError(
        .invalidArgument,
        "\(field) \"\(text)\" has \(name.parts.count) parts; a registered model is named"
          + " catalog.schema.model")
    }
    return name.fullName
  }

  /// Throws INVALID_ARGUMENT unless `number` can be a version number.
  func requireVersionNumber(_ number: Int64) throws(RPCError) {
    guard number > 0 else {
      throw RPCError(
        .invalidArgument, "version \(number) is invalid; versions are numbered from 1")
    }
  }

  /// Throws PERMISSION_DENIED naming the missing privileges unless the end user has
  /// `privilege` on the model, and NOT_FOUND when the policy service has no such model.
  // NOTE: calls authorized here do not reach the catalog, so a catalog bound to other
  // environments than the request's is not hidden from them. Enforcing it needs the
  // catalog's bindings here, from GetCatalog or a cache of them.
  func authorize(_ caller: Caller, _ privilege: String, model: String) async throws(RPCError) {
    do {
      try await authenticator.authorize(
        caller.identity, privilege, on: .registeredModel, model, deadline: caller.deadline)
    } catch  where error.code == .notFound {
      throw RPCError(.notFound, "registered model \(model) does not exist; check the name")
    }
  }

  /// Returns the model's catalog entry for the end user, which the catalog returns only to
  /// callers that may see the model: BROWSE, EXECUTE or DEPLOY.
  func hostedModel(_ model: String, _ caller: Caller) async throws(RPCError) -> HostedObjectInfo {
    var request = Edgecat_Catalog_V1_GetHostedObjectRequest()
    request.type = .registeredModel
    request.fullName = model
    return try await catalog.call("GetHostedObject", request, for: caller)
  }

  /// Throws PERMISSION_DENIED unless the end user is a metastore admin. A caller acting for
  /// itself is decided by its groups, and an end user passed along by a service is looked up.
  func requireAdmin(_ caller: Caller, to action: String) async throws(RPCError) {
    guard !(try await isAdmin(caller)) else { return }
    throw RPCError(
      .permissionDenied, "\(caller.principal) may not \(action); only metastore admins may")
  }

  func isAdmin(_ caller: Caller) async throws(RPCError) -> Bool {
    guard caller.identity.caller != caller.principal else {
      return caller.identity.callerIsAdmin
    }
    var request = Edgecat_Policy_V1_GetEffectivePrivilegesRequest()
    request.principal = caller.principal
    request.securableType = .metastore
    let response: Edgecat_Policy_V1_GetEffectivePrivilegesResponse = try await policy.call(
      "GetEffectivePrivileges", request, requestID: caller.requestID, deadline: caller.deadline)
    return response.privileges.contains { $0.sources.contains { $0.kind == .admin } }
  }
}

/// Runs a throwing engine call and maps its `ServiceError` to a gRPC status.
func mapped<Value>(_ body: () throws(ServiceError) -> Value) throws(RPCError) -> Value {
  do {
    return try body()
  } catch {
    throw error.rpcError
  }
}

func mappedAsync<Value>(_ body: () async throws(ServiceError) -> Value) async throws(RPCError)
  -> Value
{
  do {
    return try await body()
  } catch {
    throw error.rpcError
  }
}
