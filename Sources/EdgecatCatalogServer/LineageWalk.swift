import EdgecatCatalog
import EdgecatCore
import EdgecatProto
import EdgecatRPC
import EdgecatServiceKit

/// A breadth-first walk of lineage edges from one node, and the response it becomes once
/// the nodes' visibility is known.
struct LineageWalk {
  let start: String
  /// How many edges away each reached node is; the start is 0.
  private(set) var distances: [String: Int]
  private(set) var edges: [LineageEdgeRecord] = []
  private var seenEdges: Set<LineageEdgeRecord> = []

  init(start: String) {
    self.start = start
    distances = [start: 0]
  }

  /// Follows edges from the start in one direction up to `depth` edges away.
  mutating func follow(_ engine: CatalogEngine, downstream: Bool, depth: Int)
    async throws(RPCError)
  {
    var frontier = [start]
    var reached: Set<String> = [start]
    for distance in 1...depth where !frontier.isEmpty {
      let found = try await mappedAsync { [frontier] () async throws(ServiceError) in
        try await engine.lineageEdges(from: frontier, downstream: downstream)
      }
      var next: [String] = []
      for edge in found {
        if seenEdges.insert(edge).inserted { edges.append(edge) }
        let neighbor = downstream ? edge.target : edge.source
        guard reached.insert(neighbor).inserted else { continue }
        next.append(neighbor)
        distances[neighbor] = min(distances[neighbor] ?? distance, distance)
      }
      frontier = next
    }
  }

  /// Returns the nodes joined to `node` by an edge of the walk.
  func neighbors(of node: String) -> [String] {
    var result: [String] = []
    for edge in edges {
      if edge.source == node {
        result.append(edge.target)
      } else if edge.target == node {
        result.append(edge.source)
      }
    }
    return result
  }

  /// Builds the response, giving each node the caller may not see a placeholder id.
  func response(
    visibility: [String: (visible: Bool, kind: SecurableKind)]
  ) -> Edgecat_Catalog_V1_GetLineageResponse {
    let ordered = distances.keys.sorted { left, right in
      let (a, b) = (distances[left] ?? 0, distances[right] ?? 0)
      return a == b ? left < right : a < b
    }
    var ids: [String: String] = [:]
    var response = Edgecat_Catalog_V1_GetLineageResponse()
    var redactedCount = 0
    for name in ordered {
      var node = Edgecat_Catalog_V1_LineageNode()
      node.distance = Int32(distances[name] ?? 0)
      if visibility[name]?.visible == true {
        node.id = name
        node.securableType = visibility[name]?.kind ?? .unspecified
      } else {
        redactedCount += 1
        node.id = "redacted-\(redactedCount)"
        node.redacted = true
      }
      ids[name] = node.id
      response.nodes.append(node)
    }
    for edge in edges {
      var message = Edgecat_Catalog_V1_LineageEdge()
      message.source = ids[edge.source] ?? "redacted"
      message.target = ids[edge.target] ?? "redacted"
      message.kind = edge.kind
      if visibility[edge.source]?.visible == true, visibility[edge.target]?.visible == true {
        message.recordedBy = edge.recordedBy
        message.recordedAt = DatetimeText.format(edge.recordedAt)
      }
      response.edges.append(message)
    }
    return response
  }
}

/// Names of lineage nodes: securable full names and external nodes
/// `model-version:<model full name>/<n>`, `device:<id>` and `deployment:<id>`.
enum LineageNodeName {
  static let externalPrefixes = ["model-version:", "device:", "deployment:"]

  static func isExternal(_ node: String) -> Bool {
    externalPrefixes.contains { node.hasPrefix($0) }
  }

  /// Returns the model full name of a `model-version:` node, or nil for other nodes.
  static func model(ofVersion node: String) -> String? {
    guard node.hasPrefix("model-version:"), let slash = node.lastIndex(of: "/") else {
      return nil
    }
    return String(node[node.index(node.startIndex, offsetBy: 14)..<slash])
  }

  /// Validates a node name and returns it with securable names in lower case.
  static func validate(_ text: String, field: String) throws(RPCError) -> String {
    if text.hasPrefix("model-version:") {
      let rest = text.dropFirst("model-version:".count)
      guard let slash = rest.lastIndex(of: "/"),
        let number = Int(rest[rest.index(after: slash)...]),
        number > 0
      else {
        throw RPCError(
          .invalidArgument,
          "\(field) \"\(text)\" is not a model version node; write"
            + " model-version:<catalog.schema.model>/<version number>")
      }
      let model = try mapped { () throws(ServiceError) in try SecurableName(String(rest[..<slash]))
      }
      guard model.parts.count == 3 else {
        throw RPCError(
          .invalidArgument, "\(field) \"\(text)\" must name the model as catalog.schema.model")
      }
      return "model-version:\(model.fullName)/\(number)"
    }
    for prefix in ["device:", "deployment:"] where text.hasPrefix(prefix) {
      let id = text.dropFirst(prefix.count)
      guard !id.isEmpty, id.count <= 255,
        id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "_-.:".contains($0)) })
      else {
        throw RPCError(
          .invalidArgument,
          "\(field) \"\(text)\" has an invalid id; use 1 to 255 ASCII letters, digits, '_', '-',"
            + " '.' or ':' after \"\(prefix)\"")
      }
      return text
    }
    let name = try mapped { () throws(ServiceError) in try SecurableName(text) }
    guard !name.parts.isEmpty else {
      throw RPCError(
        .invalidArgument,
        "\(field) is empty; name a securable or a model-version:, device: or deployment: node")
    }
    return name.fullName
  }

  /// Validates an edge kind: 1 to 64 letters, digits and '_', returned in upper case.
  static func validateKind(_ kind: String) throws(RPCError) -> String {
    guard !kind.isEmpty, kind.count <= 64,
      kind.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") })
    else {
      throw RPCError(
        .invalidArgument,
        "kind \"\(kind)\" is invalid; use 1 to 64 letters, digits and '_', such as TRAINED_ON")
    }
    return kind.uppercased()
  }
}
