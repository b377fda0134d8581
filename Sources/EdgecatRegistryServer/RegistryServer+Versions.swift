import EdgecatCore
import EdgecatProto
import EdgecatRPC
import EdgecatRegistry
import EdgecatServiceKit

extension RegistryServer {
  var versionMethods: [RPCMethod] {
    [
      .unary(Self.path("CreateModelVersion")) {
        (request: CreateModelVersionRequest, context) in
        let caller = try await caller(context)
        return try await auditedWrite(
          caller, "CreateModelVersion", request.modelFullName, [("source", request.source)]
        ) { audit throws(RPCError) in
          let model = try modelName(request.modelFullName)
          try await authorize(caller, "MANAGE", model: model)
          return versionMessage(try await createVersion(model, request, caller, audit))
        }
      },
      .unary(Self.path("GetModelVersion")) {
        (request: Edgecat_Registry_V1_GetModelVersionRequest, context) in
        let caller = try await caller(context)
        return try await auditedRead(
          caller, "GetModelVersion", request.modelFullName, [("version", "\(request.version)")]
        ) { () throws(RPCError) in
          let model = try modelName(request.modelFullName)
          try requireVersionNumber(request.version)
          try await authorize(caller, "EXECUTE", model: model)
          return versionMessage(
            try await resolve(.version(request.version), of: model))
        }
      },
      .unary(Self.path("ListModelVersions")) {
        (request: Edgecat_Registry_V1_ListModelVersionsRequest, context) in
        let caller = try await caller(context)
        return try await auditedRead(caller, "ListModelVersions", request.modelFullName) {
          () throws(RPCError) in
          let model = try modelName(request.modelFullName)
          try await authorize(caller, "EXECUTE", model: model)
          let page = try await mappedAsync { () async throws(ServiceError) in
            try await engine.versions(
              of: model, pageSize: Int(request.pageSize), pageToken: request.pageToken)
          }
          var response = Edgecat_Registry_V1_ListModelVersionsResponse()
          response.versions = page.versions.map(versionMessage)
          response.nextPageToken = page.nextPageToken
          return response
        }
      },
      .unary(Self.path("DeleteModelVersion")) {
        (request: Edgecat_Registry_V1_DeleteModelVersionRequest, context) in
        let caller = try await caller(context)
        return try await auditedWrite(
          caller, "DeleteModelVersion", request.modelFullName,
          [("version", "\(request.version)")]
        ) { audit throws(RPCError) in
          let model = try modelName(request.modelFullName)
          try requireVersionNumber(request.version)
          try await authorize(caller, "MANAGE", model: model)
          var response = Edgecat_Registry_V1_DeleteModelVersionResponse()
          response.deletedAliases = try await mappedAsync { () async throws(ServiceError) in
            try await engine.deleteVersion(model, request.version, audit: audit)
          }
          return response
        }
      },
    ] + versionTagMethods
  }

  /// Returns the version a reference names, or NOT_FOUND.
  func resolve(_ reference: ModelReference, of model: String) async throws(RPCError)
    -> ModelVersionRecord
  {
    try await mappedAsync { () async throws(ServiceError) in
      try await engine.resolve(reference, of: model)
    }
  }

  /// Creates the version after checking that its training tables exist and that the end user
  /// may see them, then records them as lineage in the catalog. When the lineage cannot be
  /// recorded, the version is deleted again and its number stays unused.
  private func createVersion(
    _ model: String, _ request: CreateModelVersionRequest, _ caller: Caller,
    _ audit: AuditRecord
  ) async throws(RPCError) -> ModelVersionRecord {
    let details = try mapped { () throws(ServiceError) in try VersionDetails.validated(request) }
    for table in details.trainingTables {
      var lookup = Edgecat_Catalog_V1_GetTableRequest()
      lookup.fullName = table
      do {
        let _: Edgecat_Catalog_V1_TableInfo = try await catalog.call(
          "GetTable", lookup, for: caller)
      } catch {
        throw RPCError(error.code, "training table \(table): \(error.message)")
      }
    }
    let record = try await mappedAsync { () async throws(ServiceError) in
      try await engine.createVersion(
        of: model, request, createdBy: caller.principal, audit: audit)
    }
    guard !details.trainingTables.isEmpty else { return record }

    var lineage = Edgecat_Catalog_V1_AddLineageEdgesRequest()
    lineage.edges = details.trainingTables.map { table in
      var edge = Edgecat_Catalog_V1_NewLineageEdge()
      edge.source = table
      edge.target = "model-version:\(model)/\(record.version)"
      edge.kind = "TRAINED_ON"
      return edge
    }
    do {
      let _: Edgecat_Catalog_V1_AddLineageEdgesResponse = try await catalog.call(
        "AddLineageEdges", lineage, for: caller)
    } catch {
      logger.warning(
        "recording lineage failed, deleting the new version",
        [
          "model": model, "version": record.version, "request.id": caller.requestID,
          "error": error.message,
        ])
      let undo = auditRecord(
        caller, "CreateModelVersion", model, [("version", "\(record.version)")],
        result: error.code.description)
      do {
        try await engine.deleteVersion(model, record.version, audit: undo)
      } catch {
        logger.error(
          "deleting a version without lineage failed",
          ["model": model, "version": record.version, "error": "\(error)"])
      }
      throw error
    }
    return record
  }
}
