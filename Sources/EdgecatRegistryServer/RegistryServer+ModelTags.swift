import EdgecatCore
import EdgecatProto
import EdgecatRPC
import EdgecatRegistry
import EdgecatServiceKit

extension RegistryServer {
  var modelTagMethods: [RPCMethod] {
    [
      .unary(Self.path("SetRegisteredModelTag")) {
        (request: Edgecat_Registry_V1_SetRegisteredModelTagRequest, context) in
        let caller = try await caller(context)
        let tag = request.tag ?? TagMessage()
        return try await auditedForward(
          caller, "SetRegisteredModelTag", request.fullName,
          [("key", tag.key), ("value", tag.value)]
        ) { () throws(RPCError) in
          let model = try modelName(request.fullName, field: "full_name")
          try mapped { () throws(ServiceError) in
            try VersionDetails.validateTag(key: tag.key, value: tag.value)
          }
          try await setModelTag(model, tag, caller)
          return Edgecat_Registry_V1_SetRegisteredModelTagResponse()
        }
      },
      .unary(Self.path("DeleteRegisteredModelTag")) {
        (request: Edgecat_Registry_V1_DeleteRegisteredModelTagRequest, context) in
        let caller = try await caller(context)
        return try await auditedForward(
          caller, "DeleteRegisteredModelTag", request.fullName, [("key", request.key)]
        ) { () throws(RPCError) in
          var delete = Edgecat_Catalog_V1_DeleteTagRequest()
          delete.securableType = .registeredModel
          delete.fullName = try modelName(request.fullName, field: "full_name")
          delete.key = request.key
          let _: Edgecat_Catalog_V1_DeleteTagResponse = try await catalog.call(
            "DeleteTag", delete, for: caller)
          return Edgecat_Registry_V1_DeleteRegisteredModelTagResponse()
        }
      },
    ]
  }

  /// Sets a tag on the model in the catalog, which checks MANAGE for the end user.
  func setModelTag(_ model: String, _ tag: TagMessage, _ caller: Caller) async throws(RPCError) {
    var request = Edgecat_Catalog_V1_SetTagRequest()
    request.securableType = .registeredModel
    request.fullName = model
    request.tag = tag
    let _: Edgecat_Catalog_V1_SetTagResponse = try await catalog.call(
      "SetTag", request, for: caller)
  }
}
