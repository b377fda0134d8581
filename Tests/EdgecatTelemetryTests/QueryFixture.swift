import EdgecatCore
import EdgecatProto
import EdgecatStore
@testable import EdgecatTelemetry
import Glibc

/// A telemetry database in a temporary folder, its store and a query engine over it, with the
/// engine clock fixed at 2030-01-15 12:00:00 UTC.
final class QueryFixture: Sendable {
  static let tableName = "production.edge_metrics.inference_logs"
  static let table = HostedTable(
    fullName: tableName, rawTable: "inference_logs", columns: InferenceLogColumns.names)
  /// 2030-01-15 12:00:00 UTC in seconds since the Unix epoch.
  static let now = 1_894_708_800.0

  static let admin = QueryIdentity(
    principal: "admin@example.com", groups: ["admins"], attributes: [:])
  static let unrestricted: [String: TableAccess] = [tableName: TableAccess()]
  static let limits = QueryLimits(pageSize: 1000, maxRows: 100_000, timeoutMilliseconds: 10_000)

  let folder: String
  let store: Store
  let engine: QueryEngine

  init(connections: Int = 2) throws {
    var template = Array("/tmp/edgecat-query-test-XXXXXX".utf8CString)
    let created = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
    folder = created.map { String(cString: $0) } ?? ""
    let path = folder + "/telemetry.db"
    store = try Store(path: path, migrations: TelemetrySchema.migrations)
    engine = try QueryEngine(
      path: path, tables: [Self.table], connections: connections, clock: { QueryFixture.now })
  }

  deinit {
    engine.close()
    store.close()
    for name in ["telemetry.db", "telemetry.db-wal", "telemetry.db-shm"] {
      unlink(folder + "/" + name)
    }
    rmdir(folder)
  }

  /// One inference log record; the columns the tests do not care about get fixed values.
  struct Record: Sendable {
    var device = "d1"
    var timestamp = "2030-01-15 11:30:00.000"
    var version = "3"
    var confidence: Double? = 0.5
    var latency: Double? = 10
    var inputHash: String? = "hash"
    var region: String? = "eu"
    var prediction: Double? = 1
    var label: Double? = nil
  }

  /// Inserts `records` into the raw table and rebuilds the day figures from it, as ingest
  /// would keep them.
  func insert(_ records: [Record]) async throws {
    try await store.write { database in
      var sequence: Int64 =
        try database.queryOne(
          "SELECT coalesce(max(seq), 0) FROM inference_logs")?[0].int64 ?? 0
      for record in records {
        sequence += 1
        try database.execute(
          """
          INSERT INTO inference_logs (device_id, timestamp, model_version, prediction,
            confidence, latency_ms, input_hash, label, region, model_name, epoch, seq,
            received_at, future_clock)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'production.ml.detector', 'epoch-1', ?, ?, 0)
          """,
          .text(record.device), .text(record.timestamp), .text(record.version),
          SQLValue(record.prediction), SQLValue(record.confidence), SQLValue(record.latency),
          SQLValue(record.inputHash), SQLValue(record.label), SQLValue(record.region),
          .integer(sequence), .text(record.timestamp))
      }
      try database.execute("DELETE FROM inference_day_figures")
      try database.executeScript(DayFiguresSchema.fillSQL())
    }
  }

  /// Every page of one query, and its rows as store values.
  struct Result {
    var pages: [Edgecat_Telemetry_V1_QueryResponse] = []
    var columns: [String] { pages.first?.columns ?? [] }
    var rows: [[SQLValue]] { pages.flatMap { $0.rows.map { $0.values.map(QueryFixture.value) } } }
    var last: Edgecat_Telemetry_V1_QueryResponse? { pages.last }
  }

  func query(
    _ sql: String, limits: QueryLimits = QueryFixture.limits,
    access: [String: TableAccess] = QueryFixture.unrestricted,
    identity: QueryIdentity = QueryFixture.admin
  ) async throws -> Result {
    var result = Result()
    for try await page in engine.run(sql: sql, limits: limits, access: access, identity: identity) {
      result.pages.append(page)
    }
    return result
  }

  /// Returns the error a query fails with, or nil when it succeeds.
  func error(
    _ sql: String, limits: QueryLimits = QueryFixture.limits,
    access: [String: TableAccess] = QueryFixture.unrestricted,
    identity: QueryIdentity = QueryFixture.admin
  ) async -> ServiceError? {
    do {
      _ = try await query(sql, limits: limits, access: access, identity: identity)
      return nil
    } catch let error as ServiceError {
      return error
    } catch {
      return ServiceError(code: .internal, message: "unexpected error \(error)")
    }
  }

  static func value(_ value: Edgecat_Telemetry_V1_Value) -> SQLValue {
    switch value.kind {
    case nil: .null
    case .integerValue(let number): .integer(number)
    case .realValue(let number): .real(number)
    case .textValue(let text): .text(text)
    case .blobValue(let bytes): .blob(bytes)
    }
  }
}

/// Returns whether two numbers agree to 9 decimal places.
func isClose(_ value: SQLValue?, _ expected: Double) -> Bool {
  guard let number = value?.double else { return false }
  return abs(number - expected) < 1e-9
}
