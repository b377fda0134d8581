import EdgecatProto

/// JSON of volumes, functions, lineage and deletes.
extension CatalogJSON {
  static func volume(_ volume: Edgecat_Catalog_V1_VolumeInfo) -> JSONValue {
    .object([
      ("name", .string(volume.name)),
      ("catalog_name", .string(volume.catalogName)),
      ("schema_name", .string(volume.schemaName)),
      ("full_name", .string(volume.fullName)),
      ("volume_type", .string(protoEnumName(volume.volumeType))),
      ("storage_location", .string(volume.storageLocation)),
      ("comment", .string(volume.comment)),
      ("owner", .string(volume.owner)),
      ("audit", audit(volume.audit)),
    ])
  }

  static func function(_ function: Edgecat_Catalog_V1_FunctionInfo) -> JSONValue {
    let parameters = function.parameters.map { parameter in
      JSONValue.object([("name", .string(parameter.name)), ("type", .string(parameter.type))])
    }
    return .object([
      ("name", .string(function.name)),
      ("catalog_name", .string(function.catalogName)),
      ("schema_name", .string(function.schemaName)),
      ("full_name", .string(function.fullName)),
      ("parameters", .array(parameters)),
      ("return_type", .string(function.returnType)),
      ("body", .string(function.body)),
      ("comment", .string(function.comment)),
      ("owner", .string(function.owner)),
      ("audit", audit(function.audit)),
    ])
  }

  static func lineage(_ response: Edgecat_Catalog_V1_GetLineageResponse) -> JSONValue {
    let nodes = response.nodes.map { node in
      JSONValue.object([
        ("id", .string(node.id)),
        (
          "securable_type",
          .string(node.securableType == .unspecified ? "" : protoEnumName(node.securableType))
        ),
        ("redacted", .bool(node.redacted)),
        ("distance", .integer(node.distance)),
      ])
    }
    let edges = response.edges.map { edge in
      JSONValue.object([
        ("source", .string(edge.source)),
        ("target", .string(edge.target)),
        ("kind", .string(edge.kind)),
        ("recorded_by", .string(edge.recordedBy)),
        ("recorded_at", .string(edge.recordedAt)),
      ])
    }
    return .object([("nodes", .array(nodes)), ("edges", .array(edges))])
  }

  /// Returns the result of a delete: every securable dropped, the named one first.
  static func deleted(_ response: Edgecat_Catalog_V1_DeleteResponse) -> JSONValue {
    .object([("dropped", .strings(response.dropped))])
  }
}
