import EdgecatProto

/// `edgecat lineage`: edges between tables, model versions, devices and deployments.
enum LineageCommands {
  static let noun = Noun(
    "lineage", "lineage edges between securables and external nodes",
    verbs: [
      Verb(
        "get", "walk the lineage of a node; securables you may not BROWSE come back redacted",
        arguments: [
          ArgumentSpec(
            "NODE", help: "securable full name, or model-version:NAME/N, device:ID, deployment:ID")
        ],
        flags: [
          FlagSpec(
            "direction", value: "DIRECTION", help: "upstream, downstream or both (default: both)"),
          FlagSpec("depth", value: "N", help: "edges to follow, 1 to 10 (default: 3)"),
        ]
      ) { invocation in
        var request = Edgecat_Catalog_V1_GetLineageRequest()
        request.node = invocation.arguments.positionals[0]
        if let text = invocation.arguments["direction"] {
          guard let direction = protoEnumValue(text, as: Edgecat_Catalog_V1_LineageDirection.self)
          else {
            throw CLIError.usage(
              "--direction \"\(text)\" is invalid; use upstream, downstream or both")
          }
          request.direction = direction
        }
        request.depth = Int32(try invocation.arguments.integer("depth", in: 1...10) ?? 0)
        let response: Edgecat_Catalog_V1_GetLineageResponse = try await invocation.clients.call(
          .catalog, "GetLineage", request)
        return .record(CatalogJSON.lineage(response))
      },
      Verb(
        "add", "record a lineage edge (admins and edgecat services)",
        arguments: [
          ArgumentSpec("SOURCE", help: "upstream node"),
          ArgumentSpec("TARGET", help: "downstream node"),
          ArgumentSpec("KIND", help: "what the edge means, such as TRAINED_ON or WRITES_TO"),
        ]
      ) { invocation in
        var edge = Edgecat_Catalog_V1_NewLineageEdge()
        edge.source = invocation.arguments.positionals[0]
        edge.target = invocation.arguments.positionals[1]
        edge.kind = invocation.arguments.positionals[2]
        var request = Edgecat_Catalog_V1_AddLineageEdgesRequest()
        request.edges = [edge]
        let response: Edgecat_Catalog_V1_AddLineageEdgesResponse = try await invocation.clients
          .call(.catalog, "AddLineageEdges", request)
        let text =
          response.added == 0
          ? "edge \(edge.source) -> \(edge.target) (\(edge.kind)) was recorded before"
          : "added edge \(edge.source) -> \(edge.target) (\(edge.kind))"
        return .message(.object([("added", .integer(response.added))]), text: text)
      },
    ])
}
