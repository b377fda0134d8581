import EdgecatProto

/// `edgecat function`: SQL functions, such as row filters and column masks.
enum FunctionCommands {
  static let listColumns = [
    TableColumn("full_name", header: "FULL_NAME"),
    TableColumn(
      "parameters",
      format: { value in
        guard case .array(let parameters) = value else { return "" }
        return parameters.map { parameter in
          "\(parameter["name"]?.cellText ?? "") \(parameter["type"]?.cellText ?? "")"
        }.joined(separator: ", ")
      }),
    TableColumn("return_type", header: "RETURNS"), TableColumn("owner"), TableColumn("body"),
  ]
  static let nameArgument = ArgumentSpec("CATALOG.SCHEMA.FUNCTION", help: "function full name")

  static let noun = Noun(
    "function", "SQL functions, such as row filters and column masks",
    verbs: [
      Verb(
        "create", "create a SQL function whose body is one expression",
        arguments: [nameArgument],
        flags: [
          FlagSpec(
            "parameter", value: "NAME:TYPE", repeatable: true,
            help: "parameter with a Spark SQL type, such as region:STRING"),
          FlagSpec("returns", value: "TYPE", help: "return type (default: none, as for filters)"),
          FlagSpec("body", value: "EXPRESSION", help: "the SQL expression the function returns"),
          NameArguments.comment, NameArguments.ifNotExists,
        ], run: create),
      Verb("get", "show a function with its body", arguments: [nameArgument]) { invocation in
        var request = Edgecat_Catalog_V1_GetFunctionRequest()
        request.fullName = invocation.arguments.positionals[0]
        let function: Edgecat_Catalog_V1_FunctionInfo = try await invocation.clients.call(
          .catalog, "GetFunction", request)
        return .record(CatalogJSON.function(function))
      },
      Verb(
        "list", "list the functions of a schema",
        arguments: [ArgumentSpec("CATALOG.SCHEMA", help: "schema full name")],
        flags: Paging.flags
      ) { invocation in
        let functions = try await Paging.collect(invocation.arguments) { size, token in
          var request = Edgecat_Catalog_V1_ListFunctionsRequest()
          request.schemaFullName = invocation.arguments.positionals[0]
          request.pageSize = size
          request.pageToken = token
          let response: Edgecat_Catalog_V1_ListFunctionsResponse = try await invocation.clients
            .call(.catalog, "ListFunctions", request)
          return (response.functions, response.nextPageToken)
        }
        return .list(functions.map(CatalogJSON.function), columns: listColumns)
      },
      Verb(
        "update", "change a function's comment or owner", arguments: [nameArgument],
        flags: [NameArguments.comment, NameArguments.owner]
      ) { invocation in
        let arguments = invocation.arguments
        var request = Edgecat_Catalog_V1_UpdateFunctionRequest()
        request.fullName = arguments.positionals[0]
        request.comment = arguments["comment"] ?? ""
        request.owner = arguments["owner"] ?? ""
        request.updateMask = try NameArguments.updateMask(
          arguments, fields: ["comment": "comment", "owner": "owner"])
        let function: Edgecat_Catalog_V1_FunctionInfo = try await invocation.clients.call(
          .catalog, "UpdateFunction", request)
        return .record(CatalogJSON.function(function))
      },
      Verb(
        "delete", "delete a function; a bound row filter or mask must be dropped first",
        arguments: [nameArgument]
      ) { invocation in
        var request = Edgecat_Catalog_V1_DeleteFunctionRequest()
        request.fullName = invocation.arguments.positionals[0]
        let response: Edgecat_Catalog_V1_DeleteResponse = try await invocation.clients.call(
          .catalog, "DeleteFunction", request)
        return CatalogCommands.deleted(response)
      },
    ])

  static func create(_ invocation: Invocation) async throws -> CommandOutput {
    let arguments = invocation.arguments
    let parts = try NameArguments.split(arguments.positionals[0], parts: 3, kind: "function")
    guard let body = arguments["body"], !body.trimmingWhitespace().isEmpty else {
      throw CLIError.usage(
        "\(arguments.commandName) needs --body EXPRESSION, such as --body \"region = 'eu'\"")
    }
    var request = Edgecat_Catalog_V1_CreateFunctionRequest()
    request.catalogName = parts[0]
    request.schemaName = parts[1]
    request.name = parts[2]
    request.parameters = try NameArguments.typedNames(arguments.all("parameter"), flag: "parameter")
      .map { name, type in
        var parameter = Edgecat_Policy_V1_FunctionParameter()
        parameter.name = name
        parameter.type = type
        return parameter
      }
    request.returnType = arguments["returns"] ?? ""
    request.body = body
    request.comment = arguments["comment"] ?? ""
    request.ifNotExists = arguments.has("if-not-exists")
    let function: Edgecat_Catalog_V1_FunctionInfo = try await invocation.clients.call(
      .catalog, "CreateFunction", request)
    return .record(CatalogJSON.function(function))
  }
}
