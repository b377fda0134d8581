import EdgecatCatalog
import EdgecatCore
import EdgecatProto
import EdgecatRPC
import EdgecatServiceKit

extension CatalogServer {
  var functionMethods: [RPCMethod] {
    [
      .unary(Self.path("CreateFunction")) {
        (request: Edgecat_Catalog_V1_CreateFunctionRequest, context) in
        let caller = try await caller(context)
        let fullName = [request.catalogName, request.schemaName, request.name].joined(
          separator: ".")
        return try await auditedWrite(caller, "CreateFunction", fullName) {
          audit throws(RPCError) in
          let name = try name(
            parts: [request.catalogName, request.schemaName, request.name], .function)
          let definition = try validatedFunction(
            parameters: request.parameters, returnType: request.returnType, body: request.body,
            fullName: name.fullName)
          var details = Edgecat_Catalog_V1_FunctionInfo()
          details.parameters = definition.parameters
          details.returnType = definition.returnType
          details.body = definition.body
          try validateComment(request.comment)
          details.comment = request.comment
          let object = try await create(
            newObject(.function, name, caller, details: details.serializedBytes()), caller,
            ifNotExists: request.ifNotExists, audit: audit, function: definition)
          return try functionInfo(object)
        }
      },
      .unary(Self.path("GetFunction")) {
        (request: Edgecat_Catalog_V1_GetFunctionRequest, context) in
        let caller = try await caller(context)
        return try await auditedRead(caller, "GetFunction", request.fullName) {
          () throws(RPCError) in
          try functionInfo(
            try await visible(
              try name(request.fullName, .function, field: "full_name"), [.function], caller))
        }
      },
      .unary(Self.path("ListFunctions")) {
        (request: Edgecat_Catalog_V1_ListFunctionsRequest, context) in
        let caller = try await caller(context)
        return try await auditedRead(caller, "ListFunctions", request.schemaFullName) {
          () throws(RPCError) in
          let (objects, next) = try await listInSchema(
            request.schemaFullName, [.function], caller, pageSize: request.pageSize,
            pageToken: request.pageToken, list: "functions")
          var response = Edgecat_Catalog_V1_ListFunctionsResponse()
          for object in objects { response.functions.append(try functionInfo(object)) }
          response.nextPageToken = next
          return response
        }
      },
      .unary(Self.path("UpdateFunction")) {
        (request: Edgecat_Catalog_V1_UpdateFunctionRequest, context) in
        let caller = try await caller(context)
        return try await auditedWrite(caller, "UpdateFunction", request.fullName) {
          audit throws(RPCError) in
          let mask = try UpdateMask(request.updateMask, known: ["comment", "owner"])
          let object = try await existing(
            try name(request.fullName, .function, field: "full_name"), [.function], caller)
          var details = try decoded(object, CatalogDetails.function)
          if mask.includes("comment", isSet: !request.comment.isEmpty) {
            try validateComment(request.comment)
            details.comment = request.comment
          }
          let owner = mask.includes("owner", isSet: !request.owner.isEmpty) ? request.owner : nil
          return try functionInfo(
            try await update(
              object, details: details.serializedBytes(), owner: owner, caller, audit: audit))
        }
      },
      .unary(Self.path("DeleteFunction")) {
        (request: Edgecat_Catalog_V1_DeleteFunctionRequest, context) in
        let caller = try await caller(context)
        return try await auditedWrite(caller, "DeleteFunction", request.fullName) {
          audit throws(RPCError) in
          let object = try await existing(
            try name(request.fullName, .function, field: "full_name"), [.function], caller)
          return try await drop(object, caller, force: false, audit: audit)
        }
      },
    ]
  }

  /// Validates a function's parameters, return type and body: names and Spark SQL types
  /// first, then the body parsed by SQLite with only the parameters and scalar functions
  /// allowed. Returns the definition as the policy service registers it.
  func validatedFunction(
    parameters: [Edgecat_Policy_V1_FunctionParameter], returnType: String, body: String,
    fullName: String
  ) throws(RPCError) -> Edgecat_Policy_V1_FunctionInfo {
    guard body.count <= maximumCommentLength else {
      throw RPCError(
        .invalidArgument,
        "body of function \(fullName) has \(body.count) characters; the maximum is"
          + " \(maximumCommentLength)")
    }
    let definition = try mapped { () throws(ServiceError) in
      try FunctionDefinition(
        parameters: parameters.map { FunctionParameter(name: $0.name, type: $0.type) },
        returnType: returnType.isEmpty ? nil : returnType, body: body
      ).validated(functionName: fullName)
    }
    try FunctionBody.validate(
      definition.body, parameters: definition.parameters.map(\.name), functionName: fullName)
    var info = Edgecat_Policy_V1_FunctionInfo()
    info.parameters = definition.parameters.map { parameter in
      var message = Edgecat_Policy_V1_FunctionParameter()
      message.name = parameter.name
      message.type = parameter.type
      return message
    }
    info.returnType = definition.returnType ?? ""
    info.body = definition.body
    return info
  }
}
