import EdgecatCatalog
import EdgecatCore
import EdgecatProto
import EdgecatRPC
import EdgecatServiceKit

/// One reconcile pass: compares the namespace with the policy service's securable tree and
/// repairs the policy side, the catalog being the source of truth for what exists. It
/// finishes drops a crash interrupted, registers what the policy service lacks, drops what
/// only the policy service has and sets owners that differ. A step that fails is logged and
/// the pass goes on; the pass itself fails only when the policy service cannot list.
///
/// A catalog that only the policy service has is kept unless `dropUnknownCatalogs` is set.
/// The catalog creates its own row before registering and drops the policy side before its
/// own row, so a crash never leaves such a catalog; one appears when this service runs on
/// another data folder than before, and dropping it would delete every grant in it.
struct Reconciler {
  let server: CatalogServer
  var dropUnknownCatalogs = false

  private var engine: CatalogEngine { server.engine }

  func run() async throws(RPCError) -> Edgecat_Catalog_V1_ReconcileResponse {
    var remote = try await policySecurables()
    let objects = try await mappedAsync { () async throws(ServiceError) in
      try await engine.allObjects()
    }
    var response = Edgecat_Catalog_V1_ReconcileResponse()

    let dropping = objects.filter(\.dropping).map(\.0)
    for object in dropping where remote[object.fullName] != nil {
      guard
        await attempt(
          "drop", object.fullName,
          { () async throws(RPCError) in
            try await server.dropInPolicy(
              object.kind.securableKind, object.fullName, cascade: true, nil)
          })
      else { continue }
      remote = remote.filter { !isWithin($0.key, object.fullName) }
      response.dropped.append(object.fullName)
    }
    if !dropping.isEmpty {
      try await mappedAsync { () async throws(ServiceError) in
        try await engine.finishDrop(dropping.map(\.fullName), audit: nil)
      }
    }

    for (object, isDropping) in objects where !isDropping {
      if let securable = remote.removeValue(forKey: object.fullName) {
        guard securable.owner != object.owner else { continue }
        if await attempt(
          "set owner", object.fullName,
          { () async throws(RPCError) in
            _ = try await server.transfer(object, to: object.owner, nil)
          })
        {
          server.logger.info(
            "reconcile set an owner", ["securable": object.fullName, "owner": object.owner])
          response.ownersFixed.append(object.fullName)
        }
        continue
      }
      let function = object.kind == .function ? try functionDefinition(object) : nil
      if await attempt(
        "register", object.fullName,
        { () async throws(RPCError) in
          try await server.register(object, nil, function: function)
        })
      {
        server.logger.info("reconcile registered a securable", ["securable": object.fullName])
        response.registered.append(object.fullName)
      }
    }

    var dropped: [String] = []
    for (name, securable) in remote.sorted(by: { $0.key < $1.key })
    where !dropped.contains(where: { isWithin(name, $0) }) {
      if securable.type == .catalog && !dropUnknownCatalogs {
        dropped.append(name)
        response.unknownCatalogs.append(name)
        server.logger.warning(
          "policy service has a catalog this catalog's database lacks; keeping it",
          [
            "securable": name,
            "hint": "check --data-dir, or Reconcile with drop_unknown_catalogs to drop it",
          ])
        continue
      }
      if await attempt(
        "drop", name,
        { () async throws(RPCError) in
          try await server.dropInPolicy(securable.type, name, cascade: true, nil)
        })
      {
        server.logger.info("reconcile dropped a securable", ["securable": name])
        dropped.append(name)
        response.dropped.append(name)
      }
    }
    server.logger.info(
      "reconcile finished",
      [
        "registered": response.registered.count, "dropped": response.dropped.count,
        "owners_fixed": response.ownersFixed.count,
        "unknown_catalogs": response.unknownCatalogs.count,
      ])
    return response
  }

  /// Lists every securable of the policy service but the metastore, by full name.
  private func policySecurables() async throws(RPCError) -> [String: Edgecat_Policy_V1_Securable] {
    var result: [String: Edgecat_Policy_V1_Securable] = [:]
    var request = Edgecat_Policy_V1_ListSecurablesRequest()
    // Function bodies are up to 10,000 characters, so 100 securables stay far below the
    // 4 MiB message limit.
    request.pageSize = 100
    repeat {
      let page: Edgecat_Policy_V1_ListSecurablesResponse = try await server.policy.call(
        "ListSecurables", request, requestID: "reconcile")
      for securable in page.securables where !securable.fullName.isEmpty {
        result[securable.fullName] = securable
      }
      request.pageToken = page.nextPageToken
    } while !request.pageToken.isEmpty
    return result
  }

  private func functionDefinition(
    _ object: CatalogObject
  ) throws(RPCError) -> Edgecat_Policy_V1_FunctionInfo {
    let info = try server.functionInfo(object)
    var function = Edgecat_Policy_V1_FunctionInfo()
    function.parameters = info.parameters
    function.returnType = info.returnType
    function.body = info.body
    return function
  }

  /// Runs one repair, logging a failure; returns whether it succeeded.
  private func attempt(
    _ step: String, _ name: String, _ body: () async throws(RPCError) -> Void
  ) async -> Bool {
    do {
      try await body()
      return true
    } catch {
      server.logger.error(
        "reconcile step failed", ["step": step, "securable": name, "error": "\(error)"])
      return false
    }
  }
}

/// True when `name` is `ancestor` or lies inside it.
private func isWithin(_ name: String, _ ancestor: String) -> Bool {
  name == ancestor || name.hasPrefix(ancestor + ".")
}

extension CatalogServer {
  /// Runs one reconcile pass as this service, as at start.
  public func reconcile() async throws(RPCError) -> Edgecat_Catalog_V1_ReconcileResponse {
    try await Reconciler(server: self).run()
  }
}
