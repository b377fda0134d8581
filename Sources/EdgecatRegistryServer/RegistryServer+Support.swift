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
  /// `privilege` on the model, and NOT_FOUND when the policy service has no such model or the
  /// catalog hides it from the request's environment. The catalog and the policy service are
  /// asked at the same time, so the check costs one round trip more than the policy check
  /// alone in load but not in latency.
  func authorize(_ caller: Caller, _ privilege: String, model: String) async throws(RPCError) {
    async let hidden = environmentError(model, caller)
    let denied: RPCError?
    do {
      try await authenticator.authorize(
        caller.identity, privilege, on: .registeredModel, model, deadline: caller.deadline)
      denied = nil
    } catch  where error.code == .notFound {
      denied = RPCError(.notFound, "registered model \(model) does not exist; check the name")
    } catch {
      denied = error
    }
    // A catalog bound away from the request's environment is NOT_FOUND before any privilege
    // is decided, so that other environments cannot learn that the model exists.
    if let hiddenError = await hidden { throw hiddenError }
    if let denied { throw denied }
  }

  /// Returns the catalog's error when the model's catalog does not exist for the request's
  /// environment or the catalog cannot be asked, and nil when the model is in scope. The
  /// catalog checks the environment binding and the model's existence before the end user's
  /// privileges, so PERMISSION_DENIED from it still means the model is in scope, and `authorize`
  /// leaves that decision to the policy check.
  private func environmentError(_ model: String, _ caller: Caller) async -> RPCError? {
    do {
      _ = try await hostedModel(model, caller)
      return nil
    } catch  where error.code == .permissionDenied {
      return nil
    } catch  where error.code == .notFound {
      // The catalog names the model itself when only the model is missing, and the catalog
      // and environment when the model is hidden, which the prefix then explains.
      let prefix = "registered model \(model) does not exist"
      if error.message.hasPrefix(prefix) { return RPCError(.notFound, error.message) }
      return RPCError(.notFound, "\(prefix): \(error.message)")
    } catch {
      return error
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

  /// Throws PERMISSION_DENIED unless the end user is a metastore admin.
  func requireAdmin(_ caller: Caller, to action: String) async throws(RPCError) {
    try await authenticator.requireAdmin(caller.identity, to: action, deadline: caller.deadline)
  }

  func isAdmin(_ caller: Caller) async throws(RPCError) -> Bool {
    try await authenticator.isAdmin(caller.identity, deadline: caller.deadline)
  }
}
