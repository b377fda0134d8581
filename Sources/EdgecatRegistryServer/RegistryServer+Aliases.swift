import EdgecatCore
import EdgecatProto
import EdgecatRPC
import EdgecatRegistry
import EdgecatServiceKit

extension RegistryServer {
  var aliasMethods: [RPCMethod] {
    [
      .unary(Self.path("SetModelAlias")) {
        (request: Edgecat_Registry_V1_SetModelAliasRequest, context) in
        let caller = try await caller(context)
        return try await auditedWrite(
          caller, "SetModelAlias", request.modelFullName,
          [("alias", request.alias), ("version", "\(request.version)")]
        ) { audit throws(RPCError) in
          let model = try modelName(request.modelFullName)
          try requireVersionNumber(request.version)
          try await authorize(caller, "MANAGE", model: model)
          let record = try await mappedAsync { () async throws(ServiceError) in
            try await engine.setAlias(request.alias, of: model, to: request.version, audit: audit)
          }
          var response = Edgecat_Registry_V1_ModelAlias()
          response.alias = record.alias
          response.version = record.version
          return response
        }
      },
      .unary(Self.path("DeleteModelAlias")) {
        (request: Edgecat_Registry_V1_DeleteModelAliasRequest, context) in
        let caller = try await caller(context)
        return try await auditedWrite(
          caller, "DeleteModelAlias", request.modelFullName, [("alias", request.alias)]
        ) { audit throws(RPCError) in
          let model = try modelName(request.modelFullName)
          try await authorize(caller, "MANAGE", model: model)
          try await mappedAsync { () async throws(ServiceError) in
            try await engine.deleteAlias(request.alias, of: model, audit: audit)
          }
          return Edgecat_Registry_V1_DeleteModelAliasResponse()
        }
      },
      .unary(Self.path("GetModelVersionByAlias")) {
        (request: Edgecat_Registry_V1_GetModelVersionByAliasRequest, context) in
        let caller = try await caller(context)
        return try await auditedRead(
          caller, "GetModelVersionByAlias", request.modelFullName, [("alias", request.alias)]
        ) { () throws(RPCError) in
          let model = try modelName(request.modelFullName)
          let alias = try mapped { () throws(ServiceError) in
            try AliasName.validated(request.alias)
          }
          try await authorize(caller, "EXECUTE", model: model)
          return versionMessage(try await resolve(.alias(alias), of: model))
        }
      },
      .unary(Self.path("ResolveModelURI")) {
        (request: Edgecat_Registry_V1_ResolveModelURIRequest, context) in
        let caller = try await caller(context)
        return try await auditedRead(caller, "ResolveModelURI", nil, [("uri", request.uri)]) {
          () throws(RPCError) in
          let uri = try mapped { () throws(ServiceError) in try ModelURI(request.uri) }
          try await authorize(caller, "EXECUTE", model: uri.model.fullName)
          return versionMessage(try await resolve(uri.reference, of: uri.model.fullName))
        }
      },
    ]
  }
}
