import EdgecatCatalog
import EdgecatCore
import EdgecatProto
import EdgecatRPC
import EdgecatServiceKit

extension CatalogServer {
  var tagMethods: [RPCMethod] {
    [
      .unary(Self.path("SetTag")) { (request: Edgecat_Catalog_V1_SetTagRequest, context) in
        let caller = try await caller(context)
        let tag = request.tag ?? Edgecat_Catalog_V1_Tag()
        return try await auditedWrite(
          caller, "SetTag", request.fullName, [("key", tag.key), ("value", tag.value)]
        ) { audit throws(RPCError) in
          let object = try await tagTarget(request.securableType, request.fullName, caller)
          try await authorize(caller, "MANAGE", object.kind.securableKind, object.fullName)
          try await mappedAsync { () async throws(ServiceError) in
            try await engine.setTag(
              on: object.fullName, key: tag.key, value: tag.value, audit: audit)
          }
          return Edgecat_Catalog_V1_SetTagResponse()
        }
      },
      .unary(Self.path("DeleteTag")) { (request: Edgecat_Catalog_V1_DeleteTagRequest, context) in
        let caller = try await caller(context)
        return try await auditedWrite(
          caller, "DeleteTag", request.fullName, [("key", request.key)]
        ) { audit throws(RPCError) in
          let object = try await tagTarget(request.securableType, request.fullName, caller)
          try await authorize(caller, "MANAGE", object.kind.securableKind, object.fullName)
          try await mappedAsync { () async throws(ServiceError) in
            try await engine.deleteTag(on: object.fullName, key: request.key, audit: audit)
          }
          return Edgecat_Catalog_V1_DeleteTagResponse()
        }
      },
      .unary(Self.path("ListTags")) { (request: Edgecat_Catalog_V1_ListTagsRequest, context) in
        let caller = try await caller(context)
        return try await auditedRead(caller, "ListTags", request.fullName) {
          () throws(RPCError) in
          let target = try await tagTarget(request.securableType, request.fullName, caller)
          let object = try await visible(target.name, [target.kind], caller)
          let tags = try await mappedAsync { () async throws(ServiceError) in
            try await engine.tags(of: object.fullName)
          }
          var response = Edgecat_Catalog_V1_ListTagsResponse()
          response.tags = tags.map { pair in
            var tag = Edgecat_Catalog_V1_Tag()
            tag.key = pair.key
            tag.value = pair.value
            return tag
          }
          return response
        }
      },
    ]
  }

  /// Returns the securable a tag call names; the type is required.
  private func tagTarget(
    _ type: SecurableKind, _ fullName: String, _ caller: Caller
  ) async throws(RPCError) -> CatalogObject {
    guard let kind = ObjectKind(type) else {
      throw RPCError(
        .invalidArgument,
        "securable_type is missing or not taggable; set CATALOG, SCHEMA, TABLE, VIEW, VOLUME,"
          + " FUNCTION or REGISTERED_MODEL")
    }
    return try await existing(try name(fullName, kind, field: "full_name"), [kind], caller)
  }
}
