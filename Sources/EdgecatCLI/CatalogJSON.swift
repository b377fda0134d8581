import EdgecatProto

/// JSON of the catalog service's messages, with the proto field names as keys.
enum CatalogJSON {
  static func audit(_ audit: Edgecat_Catalog_V1_AuditFields?) -> JSONValue {
    guard let audit else { return .null }
    return .object([
      ("created_at", .string(audit.createdAt)),
      ("created_by", .string(audit.createdBy)),
      ("updated_at", .string(audit.updatedAt)),
      ("updated_by", .string(audit.updatedBy)),
    ])
  }

  static func catalog(_ catalog: Edgecat_Catalog_V1_CatalogInfo) -> JSONValue {
    .object([
      ("name", .string(catalog.name)),
      ("comment", .string(catalog.comment)),
      ("properties", .stringMap(catalog.properties)),
      ("owner", .string(catalog.owner)),
      ("environments", .strings(catalog.environments)),
      ("audit", audit(catalog.audit)),
    ])
  }

  static func schema(_ schema: Edgecat_Catalog_V1_SchemaInfo) -> JSONValue {
    .object([
      ("name", .string(schema.name)),
      ("catalog_name", .string(schema.catalogName)),
      ("full_name", .string(schema.fullName)),
      ("comment", .string(schema.comment)),
      ("properties", .stringMap(schema.properties)),
      ("owner", .string(schema.owner)),
      ("audit", audit(schema.audit)),
    ])
  }

  static func column(_ column: Edgecat_Catalog_V1_ColumnInfo) -> JSONValue {
    .object([
      ("name", .string(column.name)),
      ("type", .string(column.type)),
      ("nullable", .bool(column.nullable)),
      ("comment", .string(column.comment)),
    ])
  }

  static func table(_ table: Edgecat_Catalog_V1_TableInfo) -> JSONValue {
    let rowFilter: JSONValue =
      table.rowFilter.map { filter in
        .object([
          ("function_full_name", .string(filter.functionFullName)),
          ("input_columns", .strings(filter.inputColumns)),
        ])
      } ?? .null
    let masks = table.columnMasks.sorted { $0.key < $1.key }.map { column, mask in
      (
        column,
        JSONValue.object([
          ("function_full_name", .string(mask.functionFullName)),
          ("using_columns", .strings(mask.usingColumns)),
        ])
      )
    }
    return .object([
      ("name", .string(table.name)),
      ("catalog_name", .string(table.catalogName)),
      ("schema_name", .string(table.schemaName)),
      ("full_name", .string(table.fullName)),
      ("table_type", .string(protoEnumName(table.tableType))),
      ("data_source_format", .string(table.dataSourceFormat)),
      ("columns", .array(table.columns.map(column))),
      ("partition_columns", .strings(table.partitionColumns)),
      ("storage_location", .string(table.storageLocation)),
      ("view_definition", .string(table.viewDefinition)),
      ("comment", .string(table.comment)),
      ("properties", .stringMap(table.properties)),
      ("owner", .string(table.owner)),
      ("row_filter", rowFilter),
      ("column_masks", .object(masks)),
      ("hosted_by", .string(table.hostedBy)),
      ("audit", audit(table.audit)),
    ])
  }
}
