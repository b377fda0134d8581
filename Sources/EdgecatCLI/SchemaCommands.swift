import EdgecatProto

/// `edgecat schema`: the schemas of a catalog.
enum SchemaCommands {
  static let listColumns = [
    TableColumn("full_name", header: "FULL_NAME"), TableColumn("owner"), TableColumn("comment"),
    TableColumn("audit.created_at", header: "CREATED_AT"),
  ]
  static let nameArgument = ArgumentSpec("CATALOG.SCHEMA", help: "schema full name")

  static let noun = Noun(
    "schema", "schemas, the second level of the namespace",
    verbs: [
      Verb(
        "create", "create a schema", arguments: [nameArgument],
        flags: [NameArguments.comment, NameArguments.property, NameArguments.ifNotExists]
      ) { invocation in
        let arguments = invocation.arguments
        let parts = try NameArguments.split(arguments.positionals[0], parts: 2, kind: "schema")
        var request = Edgecat_Catalog_V1_CreateSchemaRequest()
        request.catalogName = parts[0]
        request.name = parts[1]
        request.comment = arguments["comment"] ?? ""
        request.properties = try arguments.pairs("property")
        request.ifNotExists = arguments.has("if-not-exists")
        let schema: Edgecat_Catalog_V1_SchemaInfo = try await invocation.clients.call(
          .catalog, "CreateSchema", request)
        return .record(CatalogJSON.schema(schema))
      },
      Verb("get", "show a schema", arguments: [nameArgument]) { invocation in
        var request = Edgecat_Catalog_V1_GetSchemaRequest()
        request.fullName = invocation.arguments.positionals[0]
        let schema: Edgecat_Catalog_V1_SchemaInfo = try await invocation.clients.call(
          .catalog, "GetSchema", request)
        return .record(CatalogJSON.schema(schema))
      },
      Verb(
        "list", "list the schemas of a catalog",
        arguments: [ArgumentSpec("CATALOG", help: "catalog name")], flags: Paging.flags
      ) { invocation in
        let schemas = try await Paging.collect(invocation.arguments) { size, token in
          var request = Edgecat_Catalog_V1_ListSchemasRequest()
          request.catalogName = invocation.arguments.positionals[0]
          request.pageSize = size
          request.pageToken = token
          let response: Edgecat_Catalog_V1_ListSchemasResponse = try await invocation.clients
            .call(.catalog, "ListSchemas", request)
          return (response.schemas, response.nextPageToken)
        }
        return .list(schemas.map(CatalogJSON.schema), columns: listColumns)
      },
      Verb(
        "update", "change a schema's comment, properties or owner", arguments: [nameArgument],
        flags: [NameArguments.comment, NameArguments.property, NameArguments.owner]
      ) { invocation in
        let arguments = invocation.arguments
        var request = Edgecat_Catalog_V1_UpdateSchemaRequest()
        request.fullName = arguments.positionals[0]
        request.comment = arguments["comment"] ?? ""
        request.properties = try arguments.pairs("property")
        request.owner = arguments["owner"] ?? ""
        request.updateMask = try NameArguments.updateMask(
          arguments, fields: ["comment": "comment", "properties": "property", "owner": "owner"])
        let schema: Edgecat_Catalog_V1_SchemaInfo = try await invocation.clients.call(
          .catalog, "UpdateSchema", request)
        return .record(CatalogJSON.schema(schema))
      },
      Verb(
        "delete", "delete a schema", arguments: [nameArgument],
        flags: [.toggle("force", help: "also delete every object in it")]
      ) { invocation in
        var request = Edgecat_Catalog_V1_DeleteSchemaRequest()
        request.fullName = invocation.arguments.positionals[0]
        request.force = invocation.arguments.has("force")
        let response: Edgecat_Catalog_V1_DeleteResponse = try await invocation.clients.call(
          .catalog, "DeleteSchema", request)
        return CatalogCommands.deleted(response)
      },
    ])
}
