import EdgecatCatalog
import EdgecatCore
import EdgecatProto
import EdgecatRPC
import EdgecatServiceKit

extension CatalogServer {
  /// The deepest walk GetLineage takes.
  static let maximumLineageDepth = 10
  /// The maximum number of edges in one AddLineageEdges call.
  static let maximumLineageBatch = 1000

  var lineageMethods: [RPCMethod] {
    [
      .unary(Self.path("AddLineageEdges")) {
        (request: Edgecat_Catalog_V1_AddLineageEdgesRequest, context) in
        let caller = try await caller(context)
        return try await auditedWrite(
          caller, "AddLineageEdges", nil, [("edges", String(request.edges.count))]
        ) { audit throws(RPCError) in
          try requireService(caller, to: "add lineage edges")
          guard request.edges.count <= Self.maximumLineageBatch else {
            throw RPCError(
              .invalidArgument,
              "the request has \(request.edges.count) edges; send at most"
                + " \(Self.maximumLineageBatch) per call")
          }
          var edges: [LineageEdgeRecord] = []
          for edge in request.edges {
            edges.append(
              LineageEdgeRecord(
                source: try LineageNodeName.validate(edge.source, field: "source"),
                target: try LineageNodeName.validate(edge.target, field: "target"),
                kind: try LineageNodeName.validateKind(edge.kind), recordedBy: caller.principal,
                recordedAt: engine.clock()))
          }
          for edge in edges {
            try await requireLineageNode(edge.source, caller)
            try await requireLineageNode(edge.target, caller)
          }
          let added = try await mappedAsync { () async throws(ServiceError) in
            try await engine.addLineageEdges(edges, audit: audit)
          }
          var response = Edgecat_Catalog_V1_AddLineageEdgesResponse()
          response.added = Int32(added)
          return response
        }
      },
      .unary(Self.path("GetLineage")) { (request: Edgecat_Catalog_V1_GetLineageRequest, context) in
        let caller = try await caller(context)
        return try await auditedRead(caller, "GetLineage", request.node) { () throws(RPCError) in
          try await lineage(request, caller)
        }
      },
    ]
  }

  private func lineage(
    _ request: Edgecat_Catalog_V1_GetLineageRequest, _ caller: Caller
  ) async throws(RPCError) -> Edgecat_Catalog_V1_GetLineageResponse {
    guard request.depth >= 0, request.depth <= Self.maximumLineageDepth else {
      throw RPCError(
        .invalidArgument,
        "depth \(request.depth) is out of range; use 1 to \(Self.maximumLineageDepth), or 0 for"
          + " the default of 3")
    }
    let depth = request.depth == 0 ? 3 : Int(request.depth)
    let start = try LineageNodeName.validate(request.node, field: "node")
    try await authorizeLineageStart(start, caller)

    var walk = LineageWalk(start: start)
    switch request.direction {
    case .upstream: try await walk.follow(engine, downstream: false, depth: depth)
    case .downstream: try await walk.follow(engine, downstream: true, depth: depth)
    case .both, .unspecified:
      try await walk.follow(engine, downstream: false, depth: depth)
      try await walk.follow(engine, downstream: true, depth: depth)
    case .unrecognized(let value):
      throw RPCError(
        .invalidArgument,
        "direction \(value) is not a lineage direction; use UPSTREAM, DOWNSTREAM or BOTH")
    }
    var visibility = try await lineageVisibility(walk, caller)
    // authorizeLineageStart let the caller read this device or deployment node, which is
    // otherwise visible only beside a visible neighbor, so a node without edges stays named.
    if LineageNodeName.isExternal(start), LineageNodeName.model(ofVersion: start) == nil {
      visibility[start] = (true, .unspecified)
    }
    return walk.response(visibility: visibility)
  }

  /// Throws NOT_FOUND unless a securable node, or the model of a model version node, exists.
  /// Device and deployment nodes name things outside the catalog and are taken as given.
  private func requireLineageNode(_ node: String, _ caller: Caller) async throws(RPCError) {
    let securable: String
    if let model = LineageNodeName.model(ofVersion: node) {
      securable = model
    } else if LineageNodeName.isExternal(node) {
      return
    } else {
      securable = node
    }
    let name = try mapped { () throws(ServiceError) in try SecurableName(securable) }
    _ = try await existing(name, ObjectKind.allCases, caller)
  }

  /// Requires BROWSE on the starting securable, or on the model of a model version node.
  /// Device and deployment nodes are for edgecat services and admins.
  private func authorizeLineageStart(_ start: String, _ caller: Caller) async throws(RPCError) {
    if let model = LineageNodeName.model(ofVersion: start) {
      try await authorize(caller, "BROWSE", .registeredModel, model)
    } else if LineageNodeName.isExternal(start) {
      guard caller.identity.callerIsService || caller.identity.callerIsAdmin else {
        try await requireAdmin(caller, to: "read the lineage of \(start)")
        return
      }
    } else {
      let name = try mapped { () throws(ServiceError) in try SecurableName(start) }
      let object = try await existing(name, ObjectKind.allCases, caller)
      try await authorize(caller, "BROWSE", object.kind.securableKind, object.fullName)
    }
  }

  /// Decides which nodes of the walk the end user may see: securables by BROWSE, model
  /// versions by BROWSE on their model, and other external nodes when a neighbor is visible.
  private func lineageVisibility(
    _ walk: LineageWalk, _ caller: Caller
  ) async throws(RPCError) -> [String: (visible: Bool, kind: SecurableKind)] {
    var result: [String: (visible: Bool, kind: SecurableKind)] = [:]
    var objects: [CatalogObject] = []
    var versionsByModel: [String: [String]] = [:]
    for node in walk.distances.keys {
      if let model = LineageNodeName.model(ofVersion: node) {
        versionsByModel[model, default: []].append(node)
      } else if !LineageNodeName.isExternal(node) {
        let object = try await mappedAsync { () async throws(ServiceError) in
          try await engine.object(node)
        }
        if let object { objects.append(object) } else { result[node] = (false, .unspecified) }
      }
    }
    let allowed = try await visibility(browse: objects, caller)
    for (object, isAllowed) in zip(objects, allowed) {
      result[object.fullName] = (isAllowed, object.kind.securableKind)
    }
    // A model dropped since its versions' edges were recorded makes them redacted, because
    // asking the policy service about a missing model fails the whole batch.
    var models: [String] = []
    for model in versionsByModel.keys.sorted() {
      let object = try await mappedAsync { () async throws(ServiceError) in
        try await engine.object(model)
      }
      if object?.kind == .registeredModel { models.append(model) }
    }
    let modelAllowed = try await authenticator.allowed(
      caller.identity, anyOf: ["BROWSE"], on: .registeredModel, models, deadline: caller.deadline)
    for (model, isAllowed) in zip(models, modelAllowed) {
      for version in versionsByModel[model] ?? [] { result[version] = (isAllowed, .unspecified) }
    }
    for node in walk.distances.keys where result[node] == nil {
      let neighborVisible = walk.neighbors(of: node).contains { result[$0]?.visible == true }
      result[node] = (neighborVisible, .unspecified)
    }
    return result
  }

  private func visibility(
    browse objects: [CatalogObject], _ caller: Caller
  ) async throws(RPCError) -> [Bool] {
    var result = [Bool](repeating: false, count: objects.count)
    for kind in ObjectKind.allCases {
      let indexes = objects.indices.filter { objects[$0].kind == kind }
      guard !indexes.isEmpty else { continue }
      let allowed = try await authenticator.allowed(
        caller.identity, anyOf: ["BROWSE"], on: kind.securableKind,
        indexes.map { objects[$0].fullName }, deadline: caller.deadline)
      for (index, isAllowed) in zip(indexes, allowed) { result[index] = isAllowed }
    }
    return result
  }
}
