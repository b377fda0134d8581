import EdgecatCatalog
import EdgecatCore
import EdgecatProto
import EdgecatRPC
import EdgecatServiceKit

extension CatalogServer {
  var catalogMethods: [RPCMethod] {
    [
      .unary(Self.path("CreateCatalog")) {
        (request: Edgecat_Catalog_V1_CreateCatalogRequest, context) in
        let caller = try await caller(context)
        return try await auditedWrite(
          caller, "CreateCatalog", request.name, [("name", request.name)]
        ) { audit throws(RPCError) in
          let name = try name(parts: [request.name], .catalog)
          try validateComment(request.comment)
          try validateProperties(request.properties)
          var details = Edgecat_Catalog_V1_CatalogInfo()
          details.comment = request.comment
          details.properties = request.properties
          details.environments = try environments(request.environments)
          let object = try await create(
            newObject(.catalog, name, caller, details: details.serializedBytes()), caller,
            ifNotExists: request.ifNotExists, audit: audit)
          return try catalogInfo(object)
        }
      },
      .unary(Self.path("GetCatalog")) { (request: Edgecat_Catalog_V1_GetCatalogRequest, context) in
        let caller = try await caller(context)
        return try await auditedRead(caller, "GetCatalog", request.name) { () throws(RPCError) in
          try catalogInfo(
            try await visible(try name(request.name, .catalog, field: "name"), [.catalog], caller))
        }
      },
      .unary(Self.path("ListCatalogs")) {
        (request: Edgecat_Catalog_V1_ListCatalogsRequest, context) in
        let caller = try await caller(context)
        return try await auditedRead(caller, "ListCatalogs", nil) { () throws(RPCError) in
          let (objects, next) = try await visiblePage(
            caller, pageSize: request.pageSize, pageToken: request.pageToken, list: "catalogs",
            key: \.shortName
          ) { after, limit throws(ServiceError) in
            try await engine.children(of: "", kinds: [.catalog], after: after, limit: limit)
          }
          var response = Edgecat_Catalog_V1_ListCatalogsResponse()
          for object in objects { response.catalogs.append(try catalogInfo(object)) }
          response.nextPageToken = next
          return response
        }
      },
      .unary(Self.path("UpdateCatalog")) {
        (request: Edgecat_Catalog_V1_UpdateCatalogRequest, context) in
        let caller = try await caller(context)
        return try await auditedWrite(
          caller, "UpdateCatalog", request.name,
          [("update_mask", request.updateMask.joined(separator: ","))]
        ) { audit throws(RPCError) in
          let mask = try UpdateMask(
            request.updateMask, known: ["comment", "properties", "owner", "environments"])
          let object = try await existing(
            try name(request.name, .catalog, field: "name"), [.catalog], caller)
          var details = try decoded(object, CatalogDetails.catalog)
          if mask.includes("comment", isSet: !request.comment.isEmpty) {
            try validateComment(request.comment)
            details.comment = request.comment
          }
          if mask.includes("properties", isSet: !request.properties.isEmpty) {
            try validateProperties(request.properties)
            details.properties = request.properties
          }
          if mask.includes("environments", isSet: !request.environments.isEmpty) {
            details.environments = try environments(request.environments)
          }
          let owner = mask.includes("owner", isSet: !request.owner.isEmpty) ? request.owner : nil
          return try catalogInfo(
            try await update(
              object, details: details.serializedBytes(), owner: owner, caller, audit: audit))
        }
      },
      .unary(Self.path("DeleteCatalog")) {
        (request: Edgecat_Catalog_V1_DeleteCatalogRequest, context) in
        let caller = try await caller(context)
        return try await auditedWrite(
          caller, "DeleteCatalog", request.name, [("force", String(request.force))]
        ) { audit throws(RPCError) in
          let object = try await existing(
            try name(request.name, .catalog, field: "name"), [.catalog], caller)
          return try await drop(object, caller, force: request.force, audit: audit)
        }
      },
    ]
  }

  /// Validates environment names by the rules of a name part, folded to lower case, sorted
  /// and without repeats.
  func environments(_ names: [String]) throws(RPCError) -> [String] {
    var result: Set<String> = []
    for name in names {
      result.insert(
        try mapped { () throws(ServiceError) in
          try SecurableName.validatePart(name, position: 1, of: name, noun: "environment name")
        })
    }
    return result.sorted()
  }
}
