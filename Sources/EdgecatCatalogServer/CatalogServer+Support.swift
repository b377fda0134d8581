import EdgecatCatalog
import EdgecatCore
import EdgecatCrypto
import EdgecatProto
import EdgecatRPC
import EdgecatServiceKit

extension CatalogServer {
  /// Authenticates the call and resolves its end user and environment.
  func caller(_ context: ServerContext) async throws(RPCError) -> Caller {
    let identity = try await authenticator.identify(context)
    // Environment names are stored in lower case, so the header is compared in lower case.
    let named = context.metadata[EdgecatMetadata.environment].flatMap {
      $0.isEmpty ? nil : $0.lowercased()
    }
    return Caller(
      identity: identity, peer: context.peer, environment: named ?? environment,
      deadline: context.deadline)
  }

  /// Validates a full name of `kind` and folds it to lower case.
  func name(_ text: String, _ kind: ObjectKind, field: String) throws(RPCError) -> SecurableName {
    let name = try mapped { () throws(ServiceError) in try SecurableName(text) }
    guard name.parts.count == kind.depth else {
      let shape = ["", "catalog", "catalog.schema", "catalog.schema.name"][kind.depth]
      throw RPCError(
        .invalidArgument,
        "\(field) \"\(text)\" has \(name.parts.count) \(name.parts.count == 1 ? "part" : "parts");"
          + " a \(kind.displayName) is named \(shape)")
    }
    return name
  }

  /// Validates name parts from separate request fields, each on its own so that a '.' inside
  /// one is rejected as a character of that field, and joins them into a name of `kind`.
  func name(parts: [String], _ kind: ObjectKind) throws(RPCError) -> SecurableName {
    let fields =
      [["name"], ["catalog_name", "name"], ["catalog_name", "schema_name", "name"]][
        parts.count - 1]
    for (part, field) in zip(parts, fields) {
      guard !part.isEmpty else { throw RPCError(.invalidArgument, "\(field) is empty; set it") }
      _ = try mapped { () throws(ServiceError) in
        try SecurableName.validatePart(part, position: 1, of: part, noun: field)
      }
    }
    return try name(parts.joined(separator: "."), kind, field: "name")
  }

  /// Throws NOT_FOUND when the catalog is bound to environments that exclude the caller's, so
  /// that a bound catalog does not exist for other environments.
  func requireEnvironment(_ caller: Caller, catalog: String) throws(RPCError) {
    let bound = engine.environments(ofCatalog: catalog)
    guard !bound.isEmpty else { return }
    // The message is the one a missing catalog gets, with the environment added, so that it
    // does not tell other environments where the catalog is bound.
    guard let environment = caller.environment else {
      throw RPCError(
        .notFound,
        "catalog \(catalog) does not exist for requests without x-edgecat-environment; check"
          + " the name, or send the environment the catalog belongs to")
    }
    guard bound.contains(environment) else {
      throw RPCError(
        .notFound,
        "catalog \(catalog) does not exist in environment \(environment); check the name and"
          + " x-edgecat-environment")
    }
  }

  /// Throws PERMISSION_DENIED unless the end user has `privilege` on the securable.
  func authorize(
    _ caller: Caller, _ privilege: String, _ kind: SecurableKind, _ fullName: String
  ) async throws(RPCError) {
    try await authenticator.authorize(
      caller.identity, privilege, on: kind, fullName, deadline: caller.deadline)
  }

  /// Returns the object, or NOT_FOUND when it does not exist, is of another kind, or lies in
  /// a catalog bound away from the caller's environment.
  func existing(
    _ name: SecurableName, _ kinds: [ObjectKind], _ caller: Caller
  ) async throws(RPCError) -> CatalogObject {
    try requireEnvironment(caller, catalog: name.parts[0])
    let object = try await mappedAsync { () async throws(ServiceError) in
      try await engine.object(name.fullName)
    }
    guard let object, kinds.contains(object.kind) else {
      let noun =
        kinds.count > 2 ? "securable" : kinds.map(\.displayName).joined(separator: " or ")
      throw RPCError(.notFound, "\(noun) \(name.fullName) does not exist; check the name")
    }
    return object
  }

  /// Returns the object after checking that the end user may see it: BROWSE or one of the
  /// kind's privileges. Otherwise PERMISSION_DENIED naming what is missing.
  func visible(
    _ name: SecurableName, _ kinds: [ObjectKind], _ caller: Caller
  ) async throws(RPCError) -> CatalogObject {
    let object = try await existing(name, kinds, caller)
    let allowed = try await authenticator.allowed(
      caller.identity, anyOf: object.kind.visibilityPrivileges, on: object.kind.securableKind,
      [object.fullName], deadline: caller.deadline)
    guard allowed.first == true else {
      // The denial of the kind's first use privilege names the usage privileges that are
      // missing too, which a BROWSE denial would not.
      try await authorize(
        caller, object.kind.visibilityPrivileges[1], object.kind.securableKind, object.fullName)
      return object
    }
    return object
  }

  /// Throws PERMISSION_DENIED unless the caller is a member of edgecat-services or an admin.
  func requireService(_ caller: Caller, to action: String) throws(RPCError) {
    guard caller.identity.callerIsService || caller.identity.callerIsAdmin else {
      throw RPCError(
        .permissionDenied,
        "\(caller.identity.caller) may not \(action); only members of edgecat-services and"
          + " metastore admins may")
    }
  }

  /// Throws PERMISSION_DENIED unless the end user is a metastore admin.
  func requireAdmin(_ caller: Caller, to action: String) async throws(RPCError) {
    try await authenticator.requireAdmin(caller.identity, to: action, deadline: caller.deadline)
  }
}
