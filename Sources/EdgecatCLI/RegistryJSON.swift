import EdgecatProto

/// JSON of the registry's model messages, with the proto field names as keys.
enum RegistryJSON {
  static func tags(_ tags: [Edgecat_Catalog_V1_Tag]) -> JSONValue {
    .object(tags.map { ($0.key, .string($0.value)) })
  }

  static func model(_ model: Edgecat_Registry_V1_RegisteredModel) -> JSONValue {
    .object([
      ("full_name", .string(model.fullName)),
      ("catalog_name", .string(model.catalogName)),
      ("schema_name", .string(model.schemaName)),
      ("name", .string(model.name)),
      ("owner", .string(model.owner)),
      ("comment", .string(model.comment)),
      ("tags", tags(model.tags)),
      ("aliases", .object(model.aliases.map { ($0.alias, .integer($0.version)) })),
      ("latest_version", .integer(model.latestVersion)),
      ("audit", CatalogJSON.audit(model.audit)),
    ])
  }

  static func tensor(_ spec: Edgecat_Registry_V1_TensorSpec) -> JSONValue {
    .object([
      ("name", .string(spec.name)),
      ("type", .string(spec.type)),
      ("shape", .array(spec.shape.map(JSONValue.integer))),
    ])
  }

  static func version(_ version: Edgecat_Registry_V1_ModelVersion) -> JSONValue {
    let signature: JSONValue =
      version.signature.map { signature in
        .object([
          ("inputs", .array(signature.inputs.map(tensor))),
          ("outputs", .array(signature.outputs.map(tensor))),
        ])
      } ?? .null
    return .object([
      ("model_full_name", .string(version.modelFullName)),
      ("version", .integer(version.version)),
      ("status", .string(protoEnumName(version.status))),
      ("status_message", .string(version.statusMessage)),
      ("source", .string(version.source)),
      ("training_tables", .strings(version.trainingTables)),
      ("signature", signature),
      ("input_example", .string(version.inputExample)),
      ("format", .string(version.format)),
      ("tags", tags(version.tags)),
      ("artifact_sha256", .string(version.artifactSha256)),
      ("artifact_size", .integer(version.artifactSize)),
      ("aliases", .strings(version.aliases)),
      ("rolled_back_at", .string(version.rolledBackAt)),
      ("rollback_cause", .string(version.rollbackCause)),
      ("comment", .string(version.comment)),
      ("created_by", .string(version.createdBy)),
      ("created_at", .string(version.createdAt)),
      ("updated_at", .string(version.updatedAt)),
    ])
  }

  static func alias(_ alias: Edgecat_Registry_V1_ModelAlias, model: String) -> JSONValue {
    .object([
      ("model_full_name", .string(model)),
      ("alias", .string(alias.alias)),
      ("version", .integer(alias.version)),
    ])
  }
}
