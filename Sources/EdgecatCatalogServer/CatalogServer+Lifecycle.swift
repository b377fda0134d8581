import EdgecatCatalog
import EdgecatCore
import EdgecatProto
import EdgecatRPC
import EdgecatServiceKit

extension CatalogServer {
  /// Creates `object` for the end user: checks the create privilege on the parent, inserts the
  /// row, then registers the securable with the policy service, deleting the row again when
  /// that fails. With `ifNotExists`, an existing object of the same kind is returned instead.
  func create(
    _ object: CatalogObject, _ caller: Caller, ifNotExists: Bool, audit: AuditRecord,
    function: Edgecat_Policy_V1_FunctionInfo? = nil
  ) async throws(RPCError) -> CatalogObject {
    let parentKind: SecurableKind =
      switch object.kind.depth {
      case 1: .metastore
      case 2: .catalog
      default: .schema
      }
    if object.kind.depth > 1 { try requireEnvironment(caller, catalog: object.catalogName) }
    try await authorize(caller, object.kind.createPrivilege, parentKind, object.parentName)

    // NOTE: an existing object returned here may still be registering with the policy
    // service under a concurrent create, which deletes it again if that registration fails.
    let existing = try await mappedAsync { () async throws(ServiceError) in
      try await engine.insert(object, audit: audit, ifNotExists: ifNotExists)
    }
    if let existing { return existing }

    do {
      try await register(object, caller, function: function)
    } catch {
      logger.warning(
        "policy registration failed, removing the new object",
        ["securable": object.fullName, "request.id": caller.requestID, "error": "\(error)"])
      do {
        try await engine.finishDrop([object.fullName], audit: nil)
      } catch {
        logger.error(
          "removing an unregistered object failed; reconcile will register it",
          ["securable": object.fullName, "error": "\(error)"])
      }
      throw error
    }
    logger.debug(
      "object created",
      ["securable": object.fullName, "principal": caller.principal, "request.id": caller.requestID])
    return object
  }

  /// Registers the securable with the policy service, owned by the object's owner. The call
  /// is made as this service, because only edgecat services may register; the end user's
  /// create privilege was checked before. A stale securable of that name there, which the
  /// catalog does not have, is dropped first.
  func register(
    _ object: CatalogObject, _ caller: Caller?, function: Edgecat_Policy_V1_FunctionInfo?
  ) async throws(RPCError) {
    var request = Edgecat_Policy_V1_RegisterSecurableRequest()
    request.type = object.kind.securableKind
    request.fullName = object.fullName
    request.owner = object.owner
    request.function = function
    let requestID = caller?.requestID ?? "reconcile"
    do {
      let _: Edgecat_Policy_V1_Securable = try await policy.call(
        "RegisterSecurable", request, requestID: requestID, deadline: caller?.deadline,
        timeout: policy.writeTimeout)
    } catch  where error.code == .alreadyExists {
      logger.warning(
        "policy service had a securable the catalog lacks; replacing it",
        ["securable": object.fullName, "request.id": requestID])
      try await dropInPolicy(object.kind.securableKind, object.fullName, cascade: true, nil)
      let _: Edgecat_Policy_V1_Securable = try await policy.call(
        "RegisterSecurable", request, requestID: requestID, deadline: caller?.deadline,
        timeout: policy.writeTimeout)
    }
  }

  /// Drops an object and, with `force`, everything in it. The rows are hidden first. Then the
  /// policy service drops the securable for the end user, checking the right to drop and that
  /// no dropped function is still bound. The rows are deleted after that, or shown again when
  /// the policy service refused.
  func drop(
    _ object: CatalogObject, _ caller: Caller, force: Bool, audit: AuditRecord
  ) async throws(RPCError) -> Edgecat_Catalog_V1_DeleteResponse {
    let names = try await mappedAsync { () async throws(ServiceError) in
      try await engine.beginDrop(object.fullName, kind: object.kind, force: force)
    }
    do {
      try await dropInPolicy(object.kind.securableKind, object.fullName, cascade: force, caller)
    } catch {
      do {
        try await engine.cancelDrop(names)
      } catch {
        logger.error(
          "restoring objects after a failed drop failed; reconcile will finish the drop",
          ["securable": object.fullName, "error": "\(error)"])
      }
      throw error
    }
    try await mappedAsync { () async throws(ServiceError) in
      try await engine.finishDrop(names, audit: audit)
    }
    var response = Edgecat_Catalog_V1_DeleteResponse()
    response.dropped = names
    return response
  }

  /// Drops a securable in the policy service, for `caller`'s end user or, when nil, as this
  /// service. NOT_FOUND there counts as done.
  func dropInPolicy(
    _ kind: SecurableKind, _ fullName: String, cascade: Bool, _ caller: Caller?
  ) async throws(RPCError) {
    var request = Edgecat_Policy_V1_DropSecurableRequest()
    request.type = kind
    request.fullName = fullName
    request.cascade = cascade
    do {
      let _: Edgecat_Policy_V1_DropSecurableResponse = try await policy.call(
        "DropSecurable", request, requestID: caller?.requestID ?? "reconcile",
        deadline: caller?.deadline, onBehalfOf: caller?.principal, timeout: policy.writeTimeout)
    } catch  where error.code == .notFound {
      return
    }
  }

  /// Transfers ownership in the policy service for the end user, which checks that the user
  /// may, then returns the object with its new owner.
  func transfer(
    _ object: CatalogObject, to owner: String, _ caller: Caller?
  ) async throws(RPCError) -> CatalogObject {
    var request = Edgecat_Policy_V1_TransferOwnershipRequest()
    request.type = object.kind.securableKind
    request.fullName = object.fullName
    request.newOwner = owner
    let response: Edgecat_Policy_V1_Securable = try await policy.call(
      "TransferOwnership", request, requestID: caller?.requestID ?? "reconcile",
      deadline: caller?.deadline, onBehalfOf: caller?.principal, timeout: policy.writeTimeout)
    var changed = object
    changed.owner = response.owner
    return changed
  }

  /// Applies an update for the end user: MANAGE (which owners have) for metadata, and the
  /// policy service's own rules for an owner change, which it applies first. When the catalog
  /// then fails to store the update, the policy service gets the old owner back.
  func update(
    _ object: CatalogObject, details: [UInt8], owner: String?, _ caller: Caller,
    audit: AuditRecord
  ) async throws(RPCError) -> CatalogObject {
    var changed = object
    if details != object.details {
      try await authorize(caller, "MANAGE", object.kind.securableKind, object.fullName)
      changed.details = details
    }
    var transferred = false
    if let owner, owner != object.owner {
      changed = try await transfer(changed, to: owner, caller)
      transferred = true
    }
    changed.updatedAt = engine.clock()
    changed.updatedBy = caller.principal
    let stored = changed
    do {
      try await engine.update(stored, audit: audit)
    } catch {
      if transferred {
        do {
          _ = try await transfer(stored, to: object.owner, nil)
        } catch {
          logger.error(
            "restoring the owner in the policy service failed; reconcile will restore it",
            ["securable": object.fullName, "error": "\(error)"])
        }
      }
      throw error.rpcError
    }
    return stored
  }
}
