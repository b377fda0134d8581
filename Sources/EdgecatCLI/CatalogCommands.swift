import EdgecatProto

/// `edgecat catalog`: the catalogs of the metastore.
enum CatalogCommands {
  static let listColumns = [
    TableColumn("name"), TableColumn("owner"), TableColumn("environments"),
    TableColumn("comment"), TableColumn("audit.created_at", header: "CREATED_AT"),
  ]
  static let bindEnvironment = FlagSpec(
    "bind-environment", value: "NAME", repeatable: true,
    help: "environment the catalog is bound to, such as production (default: visible from all)")
  static let nameArgument = ArgumentSpec("NAME", help: "catalog name")

  static let noun = Noun(
    "catalog", "catalogs, the first level of the namespace",
    verbs: [
      Verb(
        "create", "create a catalog", arguments: [nameArgument],
        flags: [
          NameArguments.comment, NameArguments.property, bindEnvironment,
          NameArguments.ifNotExists,
        ], run: create),
      Verb("get", "show a catalog", arguments: [nameArgument]) { invocation in
        var request = Edgecat_Catalog_V1_GetCatalogRequest()
        request.name = invocation.arguments.positionals[0]
        let catalog: Edgecat_Catalog_V1_CatalogInfo = try await invocation.clients.call(
          .catalog, "GetCatalog", request)
        return .record(CatalogJSON.catalog(catalog))
      },
      Verb("list", "list the catalogs you may use or browse", flags: Paging.flags) { invocation in
        let catalogs = try await Paging.collect(invocation.arguments) { size, token in
          var request = Edgecat_Catalog_V1_ListCatalogsRequest()
          request.pageSize = size
          request.pageToken = token
          let response: Edgecat_Catalog_V1_ListCatalogsResponse = try await invocation.clients
            .call(.catalog, "ListCatalogs", request)
          return (response.catalogs, response.nextPageToken)
        }
        return .list(catalogs.map(CatalogJSON.catalog), columns: listColumns)
      },
      Verb(
        "update", "change a catalog's comment, properties, owner or environments",
        arguments: [nameArgument],
        flags: [
          NameArguments.comment, NameArguments.property, NameArguments.owner, bindEnvironment,
        ],
        run: update),
      Verb(
        "delete", "delete a catalog", arguments: [nameArgument],
        flags: [.toggle("force", help: "also delete every schema and object in it")]
      ) { invocation in
        var request = Edgecat_Catalog_V1_DeleteCatalogRequest()
        request.name = invocation.arguments.positionals[0]
        request.force = invocation.arguments.has("force")
        let response: Edgecat_Catalog_V1_DeleteResponse = try await invocation.clients.call(
          .catalog, "DeleteCatalog", request)
        return deleted(response)
      },
    ])

  static func create(_ invocation: Invocation) async throws -> CommandOutput {
    let arguments = invocation.arguments
    var request = Edgecat_Catalog_V1_CreateCatalogRequest()
    request.name = arguments.positionals[0]
    request.comment = arguments["comment"] ?? ""
    request.properties = try arguments.pairs("property")
    request.environments = arguments.all("bind-environment")
    request.ifNotExists = arguments.has("if-not-exists")
    let catalog: Edgecat_Catalog_V1_CatalogInfo = try await invocation.clients.call(
      .catalog, "CreateCatalog", request)
    return .record(CatalogJSON.catalog(catalog))
  }

  static func update(_ invocation: Invocation) async throws -> CommandOutput {
    let arguments = invocation.arguments
    var request = Edgecat_Catalog_V1_UpdateCatalogRequest()
    request.name = arguments.positionals[0]
    request.comment = arguments["comment"] ?? ""
    request.properties = try arguments.pairs("property")
    request.owner = arguments["owner"] ?? ""
    request.environments = arguments.all("bind-environment")
    request.updateMask = try NameArguments.updateMask(
      arguments,
      fields: [
        "comment": "comment", "properties": "property", "owner": "owner",
        "environments": "bind-environment",
      ])
    let catalog: Edgecat_Catalog_V1_CatalogInfo = try await invocation.clients.call(
      .catalog, "UpdateCatalog", request)
    return .record(CatalogJSON.catalog(catalog))
  }

  /// Returns the output of every catalog delete: the securables dropped.
  static func deleted(_ response: Edgecat_Catalog_V1_DeleteResponse) -> CommandOutput {
    .message(
      CatalogJSON.deleted(response),
      text: "deleted " + response.dropped.joined(separator: ", "))
  }
}
