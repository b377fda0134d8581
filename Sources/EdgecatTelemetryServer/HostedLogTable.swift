import EdgecatCore
import EdgecatLog
import EdgecatProto
import EdgecatRPC
import EdgecatServiceKit
import EdgecatTelemetry
import Synchronization

/// The hosted table `<catalog>.edge_metrics.inference_logs` in the catalog. `run` creates it
/// as this service, or adopts a table of that name that no service hosts, and retries until
/// the catalog accepts; until then `isReady` is false and ingest answers UNAVAILABLE.
/// Thread-safe.
public final class HostedLogTable: Sendable {
  public static let schemaName = "edge_metrics"
  public static let tableName = "inference_logs"

  public let catalogName: String
  /// "catalog.edge_metrics.inference_logs".
  public let fullName: String
  let catalog: CatalogClient
  let retryInterval: Duration
  private let ready = Atomic<Bool>(false)
  private let logger = Logger(component: "telemetry")

  public init(catalogName: String, catalog: CatalogClient, retryInterval: Duration = .seconds(2)) {
    self.catalogName = catalogName
    fullName = "\(catalogName).\(Self.schemaName).\(Self.tableName)"
    self.catalog = catalog
    self.retryInterval = retryInterval
  }

  public var isReady: Bool { ready.load(ordering: .acquiring) }

  /// Throws UNAVAILABLE until the table exists in the catalog.
  func requireReady() throws(RPCError) {
    guard isReady else {
      throw RPCError(
        .unavailable,
        "the inference log table \(fullName) does not exist in the catalog yet; edgecat-telemetry"
          + " creates it once the schema \(catalogName).\(Self.schemaName) exists and"
          + " service:telemetry has USE_CATALOG, USE_SCHEMA and CREATE_TABLE there")
    }
  }

  /// Registers the table, retrying every `retryInterval` until the catalog accepts or the
  /// task is cancelled. Each distinct failure is logged once, with what to grant or create.
  public func run() async {
    var lastFailure = ""
    while !Task.isCancelled {
      do {
        let info = try await register()
        ready.store(true, ordering: .releasing)
        logger.info(
          "inference log table ready",
          ["table": fullName, "owner": info.owner, "columns": info.columns.count])
        return
      } catch {
        let text = "\(error.code): \(error.message)"
        if text != lastFailure {
          lastFailure = text
          logger.warning(
            "cannot create the inference log table yet; retrying",
            ["table": fullName, "error": text, "fix": fix(for: error)])
        }
      }
      try? await Task.sleep(for: retryInterval)
    }
  }

  private func fix(for error: RPCError) -> String {
    switch error.code {
    case .permissionDenied:
      "grant USE_CATALOG on \(catalogName), USE_SCHEMA and CREATE_TABLE on"
        + " \(catalogName).\(Self.schemaName) to service:telemetry"
    case .notFound:
      "create the schema \(catalogName).\(Self.schemaName)"
    case .unavailable:
      "start edgecat-catalog or check --catalog-endpoint"
    default:
      "see the error"
    }
  }

  private func register() async throws(RPCError) -> Edgecat_Catalog_V1_HostedObjectInfo {
    var request = Edgecat_Catalog_V1_RegisterHostedObjectRequest()
    request.type = .table
    request.catalogName = catalogName
    request.schemaName = Self.schemaName
    request.name = Self.tableName
    request.comment = "Inference records of the edge fleet, hosted by edgecat-telemetry."
    request.adoptExisting = true
    request.columns = InferenceLogColumns.all.map { column in
      var info = Edgecat_Catalog_V1_ColumnInfo()
      info.name = column.name
      info.type = column.typeName
      info.nullable = !["device_id", "timestamp", "epoch", "seq"].contains(column.name)
      return info
    }
    return try await catalog.call(
      "RegisterHostedObject", request, onBehalfOf: nil, requestID: "telemetry-start")
  }
}
