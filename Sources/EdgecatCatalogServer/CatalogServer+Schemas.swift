import EdgecatCatalog
import EdgecatCore
import EdgecatProto
import EdgecatRPC

extension CatalogServer {
  var schemaMethods: [RPCMethod] {
    [
      .unary(Self.path("CreateSchema")) {
        (request: Edgecat_Catalog_V1_CreateSchemaRequest, context) in
        let caller = try await caller(context)
        let fullName = request.catalogName + "." + request.name
        return try await auditedWrite(caller, "CreateSchema", fullName) { audit throws(RPCError) in
          let name = try name(parts: [request.catalogName, request.name], .schema)
          try validateComment(request.comment)
          try validateProperties(request.properties)
          var details = Edgecat_Catalog_V1_SchemaInfo()
          details.comment = request.comment
          details.properties = request.properties
          let object = try await create(
            newObject(.schema, name, caller, details: details.serializedBytes()), caller,
            ifNotExists: request.ifNotExists, audit: audit)
          return try schemaInfo(object)
        }
      },
      .unary(Self.path("GetSchema")) { (request: Edgecat_Catalog_V1_GetSchemaRequest, context) in
        let caller = try await caller(context)
        return try await auditedRead(caller, "GetSchema", request.fullName) {
          () throws(RPCError) in
          try schemaInfo(
            try await visible(
              try name(request.fullName, .schema, field: "full_name"), [.schema], caller))
        }
      },
      .unary(Self.path("ListSchemas")) {
        (request: Edgecat_Catalog_V1_ListSchemasRequest, context) in
        let caller = try await caller(context)
        return try await auditedRead(caller, "ListSchemas", request.catalogName) {
          () throws(RPCError) in
          let catalog = try await existing(
            try name(request.catalogName, .catalog, field: "catalog_name"), [.catalog], caller)
          let (objects, next) = try await visiblePage(
            caller, pageSize: request.pageSize, pageToken: request.pageToken,
            list: "schemas:" + catalog.fullName, key: \.shortName
          ) { after, limit throws(ServiceError) in
            try await engine.children(
              of: catalog.fullName, kinds: [.schema], after: after, limit: limit)
          }
          var response = Edgecat_Catalog_V1_ListSchemasResponse()
          for object in objects { response.schemas.append(try schemaInfo(object)) }
          response.nextPageToken = next
          return response
        }
      },
      .unary(Self.path("UpdateSchema")) {
        (request: Edgecat_Catalog_V1_UpdateSchemaRequest, context) in
        let caller = try await caller(context)
        return try await auditedWrite(
          caller, "UpdateSchema", request.fullName,
          [("update_mask", request.updateMask.joined(separator: ","))]
        ) { audit throws(RPCError) in
          let mask = try UpdateMask(request.updateMask, known: ["comment", "properties", "owner"])
          let object = try await existing(
            try name(request.fullName, .schema, field: "full_name"), [.schema], caller)
          var details = try decoded(object, CatalogDetails.schema)
          if mask.includes("comment", isSet: !request.comment.isEmpty) {
            try validateComment(request.comment)
            details.comment = request.comment
          }
          if mask.includes("properties", isSet: !request.properties.isEmpty) {
            try validateProperties(request.properties)
            details.properties = request.properties
          }
          let owner = mask.includes("owner", isSet: !request.owner.isEmpty) ? request.owner : nil
          return try schemaInfo(
            try await update(
              object, details: details.serializedBytes(), owner: owner, caller, audit: audit))
        }
      },
      .unary(Self.path("DeleteSchema")) {
        (request: Edgecat_Catalog_V1_DeleteSchemaRequest, context) in
        let caller = try await caller(context)
        return try await auditedWrite(
          caller, "DeleteSchema", request.fullName, [("force", String(request.force))]
        ) { audit throws(RPCError) in
          let object = try await existing(
            try name(request.fullName, .schema, field: "full_name"), [.schema], caller)
          return try await drop(object, caller, force: request.force, audit: audit)
        }
      },
    ]
  }
}
