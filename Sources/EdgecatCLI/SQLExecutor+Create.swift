import EdgecatProto

extension SQLExecutor {
  /// Runs a CREATE statement through the catalog service.
  func create(_ statement: SQLStatement) async throws -> Outcome {
    let json: JSONValue
    switch statement {
    case .createCatalog(let name, let comment, let ifNotExists):
      var request = Edgecat_Catalog_V1_CreateCatalogRequest()
      (request.name, request.comment, request.ifNotExists) = (name, comment, ifNotExists)
      json = CatalogJSON.catalog(try await clients.call(.catalog, "CreateCatalog", request))
    case .createSchema(let catalog, let name, let comment, let properties, let ifNotExists):
      var request = Edgecat_Catalog_V1_CreateSchemaRequest()
      (request.catalogName, request.name, request.comment) = (catalog, name, comment)
      (request.properties, request.ifNotExists) = (properties, ifNotExists)
      json = CatalogJSON.schema(try await clients.call(.catalog, "CreateSchema", request))
    case .createTable(let table):
      json = CatalogJSON.table(
        try await clients.call(.catalog, "CreateTable", Self.request(table)))
    case .createFunction(let function):
      json = CatalogJSON.function(
        try await clients.call(.catalog, "CreateFunction", Self.request(function)))
    case .createVolume(let name, let location, let comment, let ifNotExists):
      var request = Edgecat_Catalog_V1_CreateVolumeRequest()
      (request.catalogName, request.schemaName, request.name) = (name[0], name[1], name[2])
      if let location {
        request.volumeType = .external
        request.storageLocation = location
      }
      (request.comment, request.ifNotExists) = (comment, ifNotExists)
      json = CatalogJSON.volume(try await clients.call(.catalog, "CreateVolume", request))
    default:
      throw CLIError.failure("\(statement.summary) is not a CREATE statement")
    }
    return Outcome(json: json, text: "done")
  }

  static func request(_ table: SQLCreateTable) -> Edgecat_Catalog_V1_CreateTableRequest {
    var request = Edgecat_Catalog_V1_CreateTableRequest()
    request.catalogName = table.name[0]
    request.schemaName = table.name[1]
    request.name = table.name[2]
    request.columns = table.columns.map { column in
      var info = Edgecat_Catalog_V1_ColumnInfo()
      info.name = column.name
      info.type = column.type
      info.nullable = column.nullable
      info.comment = column.comment
      return info
    }
    request.dataSourceFormat = table.format
    request.partitionColumns = table.partitions
    request.comment = table.comment
    request.properties = table.properties
    if let location = table.location {
      request.tableType = .external
      request.storageLocation = location
    }
    request.ifNotExists = table.ifNotExists
    return request
  }

  static func request(_ function: SQLCreateFunction) -> Edgecat_Catalog_V1_CreateFunctionRequest {
    var request = Edgecat_Catalog_V1_CreateFunctionRequest()
    request.catalogName = function.name[0]
    request.schemaName = function.name[1]
    request.name = function.name[2]
    request.parameters = function.parameters.map { name, type in
      var parameter = Edgecat_Policy_V1_FunctionParameter()
      parameter.name = name
      parameter.type = type
      return parameter
    }
    request.returnType = function.returnType
    request.body = function.body
    request.comment = function.comment
    request.ifNotExists = function.ifNotExists
    return request
  }

  /// Runs a row filter or column mask statement through the catalog service, which checks
  /// the caller's rights and records the binding with the policy service.
  func bind(_ statement: SQLStatement) async throws -> Outcome {
    let table: Edgecat_Catalog_V1_TableInfo
    switch statement {
    case .setRowFilter(let name, let function, let columns):
      var request = Edgecat_Catalog_V1_SetRowFilterRequest()
      (request.tableFullName, request.functionFullName) = (name, function)
      request.inputColumns = columns
      table = try await clients.call(.catalog, "SetRowFilter", request)
    case .dropRowFilter(let name):
      var request = Edgecat_Catalog_V1_DropRowFilterRequest()
      request.tableFullName = name
      table = try await clients.call(.catalog, "DropRowFilter", request)
    case .setColumnMask(let name, let column, let function, let using):
      var request = Edgecat_Catalog_V1_SetColumnMaskRequest()
      (request.tableFullName, request.column) = (name, column)
      (request.functionFullName, request.usingColumns) = (function, using)
      table = try await clients.call(.catalog, "SetColumnMask", request)
    case .dropColumnMask(let name, let column):
      var request = Edgecat_Catalog_V1_DropColumnMaskRequest()
      (request.tableFullName, request.column) = (name, column)
      table = try await clients.call(.catalog, "DropColumnMask", request)
    default:
      throw CLIError.failure("\(statement.summary) binds no row filter or mask")
    }
    return Outcome(json: CatalogJSON.table(table), text: "done")
  }
}
