import EdgecatCore
import EdgecatProto
import EdgecatRPC
import EdgecatRegistry
import EdgecatServiceKit

extension RegistryServer {
  var versionTagMethods: [RPCMethod] {
    [
      .unary(Self.path("SetModelVersionTag")) {
        (request: Edgecat_Registry_V1_SetModelVersionTagRequest, context) in
        let caller = try await caller(context)
        let tag = request.tag ?? TagMessage()
        return try await auditedWrite(
          caller, "SetModelVersionTag", request.modelFullName,
          [("version", "\(request.version)"), ("key", tag.key), ("value", tag.value)]
        ) { audit throws(RPCError) in
          let model = try modelName(request.modelFullName)
          try requireVersionNumber(request.version)
          try await authorize(caller, "MANAGE", model: model)
          try await mappedAsync { () async throws(ServiceError) in
            try await engine.setVersionTag(
              model, request.version, key: tag.key, value: tag.value, audit: audit)
          }
          return Edgecat_Registry_V1_SetModelVersionTagResponse()
        }
      },
      .unary(Self.path("DeleteModelVersionTag")) {
        (request: Edgecat_Registry_V1_DeleteModelVersionTagRequest, context) in
        let caller = try await caller(context)
        return try await auditedWrite(
          caller, "DeleteModelVersionTag", request.modelFullName,
          [("version", "\(request.version)"), ("key", request.key)]
        ) { audit throws(RPCError) in
          let model = try modelName(request.modelFullName)
          try requireVersionNumber(request.version)
          try await authorize(caller, "MANAGE", model: model)
          try await mappedAsync { () async throws(ServiceError) in
            try await engine.deleteVersionTag(
              model, request.version, key: request.key, audit: audit)
          }
          return Edgecat_Registry_V1_DeleteModelVersionTagResponse()
        }
      },
    ]
  }
}
