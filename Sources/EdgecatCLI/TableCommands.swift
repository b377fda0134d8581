import EdgecatProto

/// `edgecat table`: tables and views of a schema.
enum TableCommands {
  static let listColumns = [
    TableColumn("full_name", header: "FULL_NAME"), TableColumn("table_type", header: "TYPE"),
    TableColumn("data_source_format", header: "FORMAT"), TableColumn("owner"),
    TableColumn(
      "columns",
      format: { value in
        guard case .array(let columns) = value else { return "" }
        return "\(columns.count)"
      }),
    TableColumn("comment"),
  ]
  static let nameArgument = ArgumentSpec("CATALOG.SCHEMA.TABLE", help: "table full name")

  static let noun = Noun(
    "table", "tables and views of a schema",
    verbs: [
      Verb(
        "create", "create a table", arguments: [nameArgument],
        flags: [
          FlagSpec(
            "column", value: "NAME:TYPE", repeatable: true,
            help: "column with a Spark SQL type such as id:BIGINT; append \" NOT NULL\" to"
              + " forbid nulls"),
          FlagSpec("format", value: "FORMAT", help: "data format such as DELTA (default), PARQUET"),
          FlagSpec(
            "partition", value: "COLUMN", repeatable: true,
            help: "partition column, or a transform such as date(timestamp)"),
          FlagSpec(
            "location", value: "PATH", help: "storage location; makes the table EXTERNAL"),
          NameArguments.comment, NameArguments.property, NameArguments.ifNotExists,
        ], run: create),
      Verb("get", "show a table with its columns, row filter and masks", arguments: [nameArgument])
      { invocation in
        var request = Edgecat_Catalog_V1_GetTableRequest()
        request.fullName = invocation.arguments.positionals[0]
        let table: Edgecat_Catalog_V1_TableInfo = try await invocation.clients.call(
          .catalog, "GetTable", request)
        return .record(CatalogJSON.table(table))
      },
      Verb(
        "list", "list the tables and views of a schema",
        arguments: [ArgumentSpec("CATALOG.SCHEMA", help: "schema full name")],
        flags: Paging.flags
      ) { invocation in
        let tables = try await Paging.collect(invocation.arguments) { size, token in
          var request = Edgecat_Catalog_V1_ListTablesRequest()
          request.schemaFullName = invocation.arguments.positionals[0]
          request.pageSize = size
          request.pageToken = token
          let response: Edgecat_Catalog_V1_ListTablesResponse = try await invocation.clients
            .call(.catalog, "ListTables", request)
          return (response.tables, response.nextPageToken)
        }
        return .list(tables.map(CatalogJSON.table), columns: listColumns)
      },
      Verb(
        "update", "change a table's comment, properties or owner", arguments: [nameArgument],
        flags: [NameArguments.comment, NameArguments.property, NameArguments.owner]
      ) { invocation in
        let arguments = invocation.arguments
        var request = Edgecat_Catalog_V1_UpdateTableRequest()
        request.fullName = arguments.positionals[0]
        request.comment = arguments["comment"] ?? ""
        request.properties = try arguments.pairs("property")
        request.owner = arguments["owner"] ?? ""
        request.updateMask = try NameArguments.updateMask(
          arguments, fields: ["comment": "comment", "properties": "property", "owner": "owner"])
        let table: Edgecat_Catalog_V1_TableInfo = try await invocation.clients.call(
          .catalog, "UpdateTable", request)
        return .record(CatalogJSON.table(table))
      },
      Verb("delete", "delete a table or view", arguments: [nameArgument]) { invocation in
        var request = Edgecat_Catalog_V1_DeleteTableRequest()
        request.fullName = invocation.arguments.positionals[0]
        let response: Edgecat_Catalog_V1_DeleteResponse = try await invocation.clients.call(
          .catalog, "DeleteTable", request)
        return CatalogCommands.deleted(response)
      },
    ])

  static func create(_ invocation: Invocation) async throws -> CommandOutput {
    let arguments = invocation.arguments
    let parts = try NameArguments.split(arguments.positionals[0], parts: 3, kind: "table")
    var request = Edgecat_Catalog_V1_CreateTableRequest()
    request.catalogName = parts[0]
    request.schemaName = parts[1]
    request.name = parts[2]
    request.columns = try NameArguments.typedNames(arguments.all("column"), flag: "column").map {
      name, type in
      var column = Edgecat_Catalog_V1_ColumnInfo()
      column.name = name
      column.nullable = !type.uppercased().hasSuffix(" NOT NULL")
      column.type = column.nullable ? type : String(type.dropLast(" NOT NULL".count))
      return column
    }
    request.dataSourceFormat = arguments["format"] ?? ""
    request.partitionColumns = arguments.all("partition")
    if let location = arguments["location"] {
      request.storageLocation = location
      request.tableType = .external
    }
    request.comment = arguments["comment"] ?? ""
    request.properties = try arguments.pairs("property")
    request.ifNotExists = arguments.has("if-not-exists")
    let table: Edgecat_Catalog_V1_TableInfo = try await invocation.clients.call(
      .catalog, "CreateTable", request)
    return .record(CatalogJSON.table(table))
  }
}
