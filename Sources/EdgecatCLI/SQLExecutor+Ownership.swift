import EdgecatProto

extension SQLExecutor {
  /// Runs ALTER ... OWNER TO through the catalog service's update call of the type.
  func setOwner(_ type: Edgecat_Policy_V1_SecurableType, _ name: String, _ owner: String)
    async throws -> Outcome
  {
    let json: JSONValue
    switch type {
    case .catalog:
      var request = Edgecat_Catalog_V1_UpdateCatalogRequest()
      (request.name, request.owner, request.updateMask) = (name, owner, ["owner"])
      json = CatalogJSON.catalog(try await clients.call(.catalog, "UpdateCatalog", request))
    case .schema:
      var request = Edgecat_Catalog_V1_UpdateSchemaRequest()
      (request.fullName, request.owner, request.updateMask) = (name, owner, ["owner"])
      json = CatalogJSON.schema(try await clients.call(.catalog, "UpdateSchema", request))
    case .table, .view:
      var request = Edgecat_Catalog_V1_UpdateTableRequest()
      (request.fullName, request.owner, request.updateMask) = (name, owner, ["owner"])
      json = CatalogJSON.table(try await clients.call(.catalog, "UpdateTable", request))
    case .volume:
      var request = Edgecat_Catalog_V1_UpdateVolumeRequest()
      (request.fullName, request.owner, request.updateMask) = (name, owner, ["owner"])
      json = CatalogJSON.volume(try await clients.call(.catalog, "UpdateVolume", request))
    case .function:
      var request = Edgecat_Catalog_V1_UpdateFunctionRequest()
      (request.fullName, request.owner, request.updateMask) = (name, owner, ["owner"])
      json = CatalogJSON.function(try await clients.call(.catalog, "UpdateFunction", request))
    case .registeredModel:
      var request = Edgecat_Catalog_V1_UpdateHostedObjectRequest()
      (request.type, request.fullName) = (type, name)
      (request.owner, request.updateMask) = (owner, ["owner"])
      let object: Edgecat_Catalog_V1_HostedObjectInfo = try await clients.call(
        .catalog, "UpdateHostedObject", request)
      json = .object([("full_name", .string(object.fullName)), ("owner", .string(object.owner))])
    default:
      throw CLIError.failure("the \(SecurableTypes.displayName(type)) has no owner to change")
    }
    return Outcome(json: json, text: "done")
  }

  /// Runs DROP through the catalog service's delete call of the type.
  func drop(_ type: Edgecat_Policy_V1_SecurableType, _ name: String, cascade: Bool)
    async throws -> Outcome
  {
    let response: Edgecat_Catalog_V1_DeleteResponse
    switch type {
    case .catalog:
      var request = Edgecat_Catalog_V1_DeleteCatalogRequest()
      (request.name, request.force) = (name, cascade)
      response = try await clients.call(.catalog, "DeleteCatalog", request)
    case .schema:
      var request = Edgecat_Catalog_V1_DeleteSchemaRequest()
      (request.fullName, request.force) = (name, cascade)
      response = try await clients.call(.catalog, "DeleteSchema", request)
    case .volume:
      var request = Edgecat_Catalog_V1_DeleteVolumeRequest()
      request.fullName = name
      response = try await clients.call(.catalog, "DeleteVolume", request)
    case .function:
      var request = Edgecat_Catalog_V1_DeleteFunctionRequest()
      request.fullName = name
      response = try await clients.call(.catalog, "DeleteFunction", request)
    case .table, .view:
      var request = Edgecat_Catalog_V1_DeleteTableRequest()
      request.fullName = name
      response = try await clients.call(.catalog, "DeleteTable", request)
    default:
      throw CLIError.failure("DROP of a \(SecurableTypes.displayName(type)) is not supported")
    }
    return Outcome(
      json: CatalogJSON.deleted(response),
      text: "dropped \(response.dropped.joined(separator: ", "))")
  }
}
