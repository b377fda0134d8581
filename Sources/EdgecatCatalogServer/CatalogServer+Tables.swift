import EdgecatCatalog
import EdgecatCore
import EdgecatProto
import EdgecatRPC
import EdgecatServiceKit

extension CatalogServer {
  var tableMethods: [RPCMethod] {
    [
      .unary(Self.path("CreateTable")) {
        (request: Edgecat_Catalog_V1_CreateTableRequest, context) in
        let caller = try await caller(context)
        let fullName = [request.catalogName, request.schemaName, request.name].joined(
          separator: ".")
        return try await auditedWrite(
          caller, "CreateTable", fullName, [("table_type", "\(request.tableType)")]
        ) { audit throws(RPCError) in
          let name = try name(
            parts: [request.catalogName, request.schemaName, request.name], .table)
          let details = try tableDetails(request, fullName: name.fullName)
          let kind: ObjectKind = details.tableType == .view ? .view : .table
          let object = try await create(
            newObject(kind, name, caller, details: details.serializedBytes()), caller,
            ifNotExists: request.ifNotExists, audit: audit)
          return try tableInfo(object)
        }
      },
      .unary(Self.path("GetTable")) { (request: Edgecat_Catalog_V1_GetTableRequest, context) in
        let caller = try await caller(context)
        return try await auditedRead(caller, "GetTable", request.fullName) { () throws(RPCError) in
          try tableInfo(
            try await visible(
              try name(request.fullName, .table, field: "full_name"), [.table, .view], caller))
        }
      },
      .unary(Self.path("ListTables")) { (request: Edgecat_Catalog_V1_ListTablesRequest, context) in
        let caller = try await caller(context)
        return try await auditedRead(caller, "ListTables", request.schemaFullName) {
          () throws(RPCError) in
          let (objects, next) = try await listInSchema(
            request.schemaFullName, [.table, .view], caller, pageSize: request.pageSize,
            pageToken: request.pageToken, list: "tables")
          var response = Edgecat_Catalog_V1_ListTablesResponse()
          for object in objects { response.tables.append(try tableInfo(object)) }
          response.nextPageToken = next
          return response
        }
      },
      .unary(Self.path("UpdateTable")) {
        (request: Edgecat_Catalog_V1_UpdateTableRequest, context) in
        let caller = try await caller(context)
        return try await auditedWrite(
          caller, "UpdateTable", request.fullName,
          [("update_mask", request.updateMask.joined(separator: ","))]
        ) { audit throws(RPCError) in
          let mask = try UpdateMask(
            request.updateMask, known: ["comment", "properties", "owner", "columns"])
          let object = try await existing(
            try name(request.fullName, .table, field: "full_name"), [.table, .view], caller)
          var details = try decoded(object, CatalogDetails.table)
          if mask.includes("comment", isSet: !request.comment.isEmpty) {
            try validateComment(request.comment)
            details.comment = request.comment
          }
          if mask.includes("properties", isSet: !request.properties.isEmpty) {
            try validateProperties(request.properties)
            details.properties = request.properties
          }
          if mask.includes("columns", isSet: !request.columns.isEmpty) {
            let previous = details.columns
            details.columns = try columns(request.columns, table: object.fullName)
            try requireBoundColumns(details, previous: previous, table: object.fullName)
          }
          let owner = mask.includes("owner", isSet: !request.owner.isEmpty) ? request.owner : nil
          return try tableInfo(
            try await update(
              object, details: details.serializedBytes(), owner: owner, caller, audit: audit))
        }
      },
      .unary(Self.path("DeleteTable")) {
        (request: Edgecat_Catalog_V1_DeleteTableRequest, context) in
        let caller = try await caller(context)
        return try await auditedWrite(caller, "DeleteTable", request.fullName) {
          audit throws(RPCError) in
          let object = try await existing(
            try name(request.fullName, .table, field: "full_name"), [.table, .view], caller)
          guard object.hostedBy.isEmpty || caller.identity.callerIsService else {
            throw RPCError(
              .failedPrecondition,
              "table \(object.fullName) is hosted by edgecat-\(object.hostedBy), which creates"
                + " it again at its next start when it is missing; to delete it, delete its schema"
                + " with force")
          }
          return try await drop(object, caller, force: false, audit: audit)
        }
      },
    ]
  }

  /// Lists objects of `kinds` in a schema that exists in the caller's environment.
  func listInSchema(
    _ schemaName: String, _ kinds: [ObjectKind], _ caller: Caller, pageSize: Int32,
    pageToken: String, list: String
  ) async throws(RPCError) -> (objects: [CatalogObject], nextPageToken: String) {
    let schema = try await existing(
      try name(schemaName, .schema, field: "schema_full_name"), [.schema], caller)
    return try await visiblePage(
      caller, pageSize: pageSize, pageToken: pageToken, list: list + ":" + schema.fullName,
      key: \.shortName
    ) { after, limit throws(ServiceError) in
      try await engine.children(of: schema.fullName, kinds: kinds, after: after, limit: limit)
    }
  }

  /// Validates a create request into the stored details of a table or view.
  func tableDetails(
    _ request: Edgecat_Catalog_V1_CreateTableRequest, fullName: String
  ) throws(RPCError) -> Edgecat_Catalog_V1_TableInfo {
    var details = Edgecat_Catalog_V1_TableInfo()
    switch request.tableType {
    case .unspecified, .managed:
      try requireNoViewDefinition(request, fullName)
      details.tableType = .managed
    case .external:
      try requireNoViewDefinition(request, fullName)
      guard !request.storageLocation.isEmpty else {
        throw RPCError(
          .invalidArgument,
          "external table \(fullName) needs a storage_location; set it or create a managed table")
      }
      details.tableType = .external
    case .view:
      guard !request.viewDefinition.trimmingSpaces.isEmpty else {
        throw RPCError(.invalidArgument, "view \(fullName) needs a view_definition; set its query")
      }
      details.tableType = .view
      details.viewDefinition = request.viewDefinition
    case .unrecognized(let value):
      throw RPCError(.invalidArgument, "table_type \(value) is not a known table type")
    }
    if details.tableType != .view {
      details.dataSourceFormat = try dataSourceFormat(request.dataSourceFormat, fullName)
    }
    details.columns = try columns(request.columns, table: fullName)
    let columnNames = Set(details.columns.map(\.name))
    for partition in request.partitionColumns {
      details.partitionColumns.append(
        try partitionColumn(partition, columns: columnNames, table: fullName))
    }
    details.storageLocation = request.storageLocation
    try validateComment(request.comment)
    details.comment = request.comment
    try validateProperties(request.properties)
    details.properties = request.properties
    return details
  }

  /// The transforms a partition may apply to a column, as Spark SQL writes them.
  static let partitionTransforms: Set<String> = [
    "date", "year", "month", "day", "hour", "years", "months", "days", "hours",
  ]

  /// Validates one partition: a column name, or a transform of a column such as
  /// `date(timestamp)`. Returns it in lower case without spaces.
  private func partitionColumn(
    _ text: String, columns: Set<String>, table: String
  ) throws(RPCError) -> String {
    let compact = text.lowercased().filter { !$0.isWhitespace }
    var column = compact
    if let open = compact.firstIndex(of: "("), compact.hasSuffix(")") {
      let transform = String(compact[..<open])
      guard Self.partitionTransforms.contains(transform) else {
        throw RPCError(
          .invalidArgument,
          "partition \"\(text)\" of \(table) uses \(transform)(); use a column or one of"
            + " \(Self.partitionTransforms.sorted().joined(separator: ", ")) applied to a column")
      }
      column = String(compact[compact.index(after: open)..<compact.index(before: compact.endIndex)])
    }
    guard columns.contains(column) else {
      throw RPCError(
        .invalidArgument,
        "partition \"\(text)\" of \(table) does not name one of its columns; add the column"
          + " or fix partition_columns")
    }
    return compact
  }

  private func requireNoViewDefinition(
    _ request: Edgecat_Catalog_V1_CreateTableRequest, _ fullName: String
  ) throws(RPCError) {
    guard request.viewDefinition.isEmpty else {
      throw RPCError(
        .invalidArgument,
        "table \(fullName) has a view_definition but is not a view; set table_type VIEW or"
          + " remove the definition")
    }
  }

  private func dataSourceFormat(_ text: String, _ fullName: String) throws(RPCError) -> String {
    let known = ["DELTA", "PARQUET", "CSV", "JSON", "AVRO", "ORC", "TEXT"]
    let format = text.isEmpty ? "DELTA" : text.uppercased()
    guard known.contains(format) else {
      throw RPCError(
        .invalidArgument,
        "data_source_format \"\(text)\" of \(fullName) is not supported; use"
          + " \(known.joined(separator: ", "))")
    }
    return format
  }

  /// The maximum number of columns of a table.
  static let maximumColumns = 4096

  /// Validates column names (folded to lower case, unique) and types (canonical Spark SQL).
  func columns(
    _ columns: [Edgecat_Catalog_V1_ColumnInfo], table: String
  ) throws(RPCError) -> [Edgecat_Catalog_V1_ColumnInfo] {
    guard columns.count <= Self.maximumColumns else {
      throw RPCError(
        .invalidArgument,
        "table \(table) has \(columns.count) columns; the maximum is \(Self.maximumColumns)")
    }
    var seen: Set<String> = []
    var result: [Edgecat_Catalog_V1_ColumnInfo] = []
    for column in columns {
      var checked = column
      checked.name = try mapped { () throws(ServiceError) in try validateColumnName(column.name) }
      guard seen.insert(checked.name).inserted else {
        throw RPCError(
          .invalidArgument, "table \(table) declares column \"\(checked.name)\" twice; rename one")
      }
      checked.type = try mapped { () throws(ServiceError) in
        try ColumnType.canonical(column.type, context: "column \(checked.name) of \(table)")
      }
      try validateComment(column.comment)
      result.append(checked)
    }
    return result
  }

  /// Throws FAILED_PRECONDITION when a column that a row filter, a mask or a partition uses
  /// is missing, or when a column bound to a filter or mask changes its type, which the bound
  /// function's signature was checked against.
  func requireBoundColumns(
    _ details: Edgecat_Catalog_V1_TableInfo, previous: [Edgecat_Catalog_V1_ColumnInfo],
    table: String
  ) throws(RPCError) {
    let types = Dictionary(details.columns.map { ($0.name, $0.type) }) { first, _ in first }
    let previousTypes = Dictionary(previous.map { ($0.name, $0.type) }) { first, _ in first }
    var bound = details.rowFilter?.inputColumns ?? []
    for (column, mask) in details.columnMasks { bound += [column] + mask.usingColumns }
    for column in bound {
      guard let type = types[column] else {
        throw RPCError(
          .failedPrecondition,
          "column \"\(column)\" of \(table) is used by a row filter or column mask; drop that"
            + " binding before removing the column")
      }
      if let before = previousTypes[column], before != type {
        throw RPCError(
          .failedPrecondition,
          "column \"\(column)\" of \(table) is used by a row filter or column mask, so its type"
            + " cannot change from \(before) to \(type); drop that binding first")
      }
    }
    for partition in details.partitionColumns {
      let column = Self.partitionSource(partition)
      guard types[column] != nil else {
        throw RPCError(
          .failedPrecondition,
          "partition \"\(partition)\" of \(table) uses column \"\(column)\"; keep the column")
      }
    }
  }

  /// Returns the column a partition reads: the argument of a transform such as `date(ts)`,
  /// or the partition itself.
  static func partitionSource(_ partition: String) -> String {
    guard let open = partition.firstIndex(of: "("), partition.hasSuffix(")") else {
      return partition
    }
    return String(
      partition[partition.index(after: open)..<partition.index(before: partition.endIndex)])
  }
}

extension String {
  var trimmingSpaces: Substring {
    let start = firstIndex { !$0.isWhitespace } ?? endIndex
    let end = lastIndex { !$0.isWhitespace }.map { index(after: $0) } ?? endIndex
    return self[start..<max(start, end)]
  }
}
