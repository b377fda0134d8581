import EdgecatLog
import EdgecatProto
import EdgecatServiceKit
import Synchronization

/// Records in the catalog's lineage that a model version and a device write to the inference
/// log, once per model version and once per device for the life of the process; the catalog
/// keeps an edge recorded before only once, so a restart repeats nothing. A failure is logged
/// and retried with the next records of that writer. Thread-safe.
public final class LineageRecorder: Sendable {
  let catalog: CatalogClient
  let tableFullName: String
  private let recorded = Mutex<Set<String>>([])
  private let logger = Logger(component: "telemetry")

  public init(catalog: CatalogClient, tableFullName: String) {
    self.catalog = catalog
    self.tableFullName = tableFullName
  }

  /// Records the edges of `writers`, each a device id with a model and version, that are not
  /// recorded yet.
  func record(_ writers: [(device: String, model: String, version: Int64)]) async {
    var sources: [String] = []
    for writer in writers {
      sources.append("device:\(writer.device)")
      if !writer.model.isEmpty {
        sources.append("model-version:\(writer.model)/\(writer.version)")
      }
    }
    let fresh = recorded.withLock { recorded in
      var fresh: [String] = []
      for source in sources where recorded.insert(source).inserted { fresh.append(source) }
      return fresh
    }
    guard !fresh.isEmpty else { return }
    var request = Edgecat_Catalog_V1_AddLineageEdgesRequest()
    request.edges = fresh.map { source in
      var edge = Edgecat_Catalog_V1_NewLineageEdge()
      edge.source = source
      edge.target = tableFullName
      edge.kind = "WRITES_TO"
      return edge
    }
    do {
      let _: Edgecat_Catalog_V1_AddLineageEdgesResponse = try await catalog.call(
        "AddLineageEdges", request, onBehalfOf: nil, requestID: "telemetry-lineage")
    } catch {
      recorded.withLock { recorded in
        for source in fresh { recorded.remove(source) }
      }
      logger.warning(
        "recording inference log lineage failed; retrying with later records",
        ["table": tableFullName, "edges": fresh.count, "error": error.message])
    }
  }
}
