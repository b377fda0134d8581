import EdgecatCore
import EdgecatProto
import EdgecatRPC
import EdgecatRegistry
import EdgecatServiceKit

extension RegistryServer {
  var modelMethods: [RPCMethod] {
    [
      .unary(Self.path("CreateRegisteredModel")) {
        (request: Edgecat_Registry_V1_CreateRegisteredModelRequest, context) in
        let caller = try await caller(context)
        let fullName = [request.catalogName, request.schemaName, request.name]
          .joined(separator: ".").lowercased()
        return try await auditedWrite(caller, "CreateRegisteredModel", fullName) {
          audit throws(RPCError) in
          try await createModel(request, caller, audit)
        }
      },
      .unary(Self.path("GetRegisteredModel")) {
        (request: Edgecat_Registry_V1_GetRegisteredModelRequest, context) in
        let caller = try await caller(context)
        return try await auditedRead(caller, "GetRegisteredModel", request.fullName) {
          () throws(RPCError) in
          let model = try modelName(request.fullName, field: "full_name")
          return try await fullModel(try await hostedModel(model, caller), caller)
        }
      },
      .unary(Self.path("ListRegisteredModels")) {
        (request: Edgecat_Registry_V1_ListRegisteredModelsRequest, context) in
        let caller = try await caller(context)
        return try await auditedRead(caller, "ListRegisteredModels", request.schemaFullName) {
          () throws(RPCError) in
          var list = Edgecat_Catalog_V1_ListHostedObjectsRequest()
          list.type = .registeredModel
          list.schemaFullName = request.schemaFullName
          list.pageSize = request.pageSize
          list.pageToken = request.pageToken
          let page: Edgecat_Catalog_V1_ListHostedObjectsResponse = try await catalog.call(
            "ListHostedObjects", list, for: caller)
          var response = Edgecat_Registry_V1_ListRegisteredModelsResponse()
          response.models = try await fullModels(page.objects, caller)
          response.nextPageToken = page.nextPageToken
          return response
        }
      },
      .unary(Self.path("UpdateRegisteredModel")) {
        (request: Edgecat_Registry_V1_UpdateRegisteredModelRequest, context) in
        let caller = try await caller(context)
        return try await auditedForward(
          caller, "UpdateRegisteredModel", request.fullName,
          [("update_mask", request.updateMask.joined(separator: ",")), ("owner", request.owner)]
        ) { () throws(RPCError) in
          let model = try modelName(request.fullName, field: "full_name")
          for field in request.updateMask where field != "comment" && field != "owner" {
            throw RPCError(
              .invalidArgument,
              "update_mask names unknown field \"\(field)\"; use comment, owner")
          }
          var update = Edgecat_Catalog_V1_UpdateHostedObjectRequest()
          update.type = .registeredModel
          update.fullName = model
          update.comment = request.comment
          update.owner = request.owner
          update.updateMask = request.updateMask
          if update.updateMask.isEmpty {
            if !request.comment.isEmpty { update.updateMask.append("comment") }
            if !request.owner.isEmpty { update.updateMask.append("owner") }
          }
          let hosted: HostedObjectInfo = try await catalog.call(
            "UpdateHostedObject", update, for: caller)
          return try await fullModel(hosted, caller)
        }
      },
      .unary(Self.path("DeleteRegisteredModel")) {
        (request: Edgecat_Registry_V1_DeleteRegisteredModelRequest, context) in
        let caller = try await caller(context)
        return try await auditedWrite(
          caller, "DeleteRegisteredModel", request.fullName, [("force", "\(request.force)")]
        ) { audit throws(RPCError) in
          try await deleteModel(request, caller, audit)
        }
      },
    ] + modelTagMethods
  }

  private func createModel(
    _ request: Edgecat_Registry_V1_CreateRegisteredModelRequest, _ caller: Caller,
    _ audit: AuditRecord
  ) async throws(RPCError) -> RegisteredModelMessage {
    for tag in request.tags {
      try mapped { () throws(ServiceError) in
        try VersionDetails.validateTag(key: tag.key, value: tag.value)
      }
    }
    var register = Edgecat_Catalog_V1_RegisterHostedObjectRequest()
    register.type = .registeredModel
    register.catalogName = request.catalogName
    register.schemaName = request.schemaName
    register.name = request.name
    register.comment = request.comment
    let hosted: HostedObjectInfo = try await catalog.call(
      "RegisterHostedObject", register, for: caller)
    do {
      let stale = try await engine.startModel(hosted.fullName, audit: audit)
      if !stale.isEmpty {
        logger.warning(
          "deleted the versions of an earlier model of the same name",
          ["model": hosted.fullName, "versions": stale.count, "request.id": caller.requestID])
      }
    } catch {
      // The catalog has the model, so the create succeeds. Its first version creates the row.
      logger.error(
        "recording a new model failed", ["model": hosted.fullName, "error": "\(error)"])
      engine.auditBuffer.append(audit)
    }
    for tag in VersionDetails.sortedTags(request.tags) {
      try await setModelTag(hosted.fullName, tag, caller)
    }
    return modelMessage(hosted, tags: VersionDetails.sortedTags(request.tags))
  }

  private func deleteModel(
    _ request: Edgecat_Registry_V1_DeleteRegisteredModelRequest, _ caller: Caller,
    _ audit: AuditRecord
  ) async throws(RPCError) -> Edgecat_Registry_V1_DeleteRegisteredModelResponse {
    let model = try modelName(request.fullName, field: "full_name")
    _ = try await hostedModel(model, caller)
    let versions = try await mappedAsync { () async throws(ServiceError) in
      try await engine.versionNumbers(of: model)
    }
    guard versions.isEmpty || request.force else {
      throw RPCError(
        .failedPrecondition,
        "registered model \(model) has \(versions.count) versions; delete them first, or pass"
          + " force to delete them with the model")
    }
    var drop = Edgecat_Catalog_V1_DeleteHostedObjectRequest()
    drop.type = .registeredModel
    drop.fullName = model
    let _: Edgecat_Catalog_V1_DeleteResponse = try await catalog.call(
      "DeleteHostedObject", drop, for: caller)
    // The drop follower may see the catalog's drop first and delete the versions itself, so
    // the response lists the versions that existed before the drop.
    // NOTE: the follower then removes the unused artifact files after its rows commit, which
    // can be after this call returns.
    _ = try await mappedAsync { () async throws(ServiceError) in
      try await engine.dropModel(model, audit: audit)
    }
    var response = Edgecat_Registry_V1_DeleteRegisteredModelResponse()
    response.deletedVersions = versions
    return response
  }

  /// Returns the models of a list page with their tags, aliases and latest versions, in the
  /// page's order. Up to 8 models are completed at a time, because each needs a ListTags call
  /// to the catalog.
  func fullModels(_ page: [HostedObjectInfo], _ caller: Caller) async throws(RPCError)
    -> [RegisteredModelMessage]
  {
    let results = await withTaskGroup(
      of: (Int, Result<RegisteredModelMessage, RPCError>).self
    ) { group in
      var results = [Result<RegisteredModelMessage, RPCError>?](repeating: nil, count: page.count)
      var next = 0
      func addTask() {
        let index = next
        next += 1
        group.addTask {
          do throws(RPCError) {
            return (index, .success(try await fullModel(page[index], caller)))
          } catch {
            return (index, .failure(error))
          }
        }
      }
      while next < min(page.count, 8) { addTask() }
      while let (index, result) = await group.next() {
        results[index] = result
        if next < page.count { addTask() }
      }
      return results
    }
    var models: [RegisteredModelMessage] = []
    for result in results {
      guard let result else { continue }
      switch result {
      case .success(let model): models.append(model)
      case .failure(let error): throw error
      }
    }
    return models
  }

  /// The model with its tags from the catalog and its aliases and latest version from here.
  func fullModel(_ hosted: HostedObjectInfo, _ caller: Caller) async throws(RPCError)
    -> RegisteredModelMessage
  {
    var request = Edgecat_Catalog_V1_ListTagsRequest()
    request.securableType = .registeredModel
    request.fullName = hosted.fullName
    let tags: Edgecat_Catalog_V1_ListTagsResponse = try await catalog.call(
      "ListTags", request, for: caller)
    let aliases = try await mappedAsync { () async throws(ServiceError) in
      try await engine.aliases(of: hosted.fullName)
    }
    let latest = try await mappedAsync { () async throws(ServiceError) in
      try await engine.latestReadyVersion(of: hosted.fullName)
    }
    return modelMessage(hosted, tags: tags.tags, aliases: aliases, latestVersion: latest)
  }
}
