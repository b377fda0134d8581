import EdgecatCore
import EdgecatStore

/// The telemetry database's tables. Migration 1 holds the raw inference log, liveness and the
/// audit trail. `RollupSchema` and `AlertSchema` add the rollups and the alerts, and
/// `PlannerStatistics` the query planner's statistics. `DayFiguresSchema` adds the live day
/// figures, and `LogPartitions` the map of rowids per received day in place of the index on
/// `received_at`.
public enum TelemetrySchema {
  /// `inference_logs` is the raw table behind the hosted table of the same name, one row per
  /// record, with the columns of `InferenceLogColumns` in that order. Times are datetime
  /// text in UTC (`DatetimeText`), `model_version` is the version number as text and
  /// `future_clock` is 1 for a record stamped more than five minutes after it was received.
  /// `heartbeats` keeps each device's last heartbeat.
  static let logMigration = Migration(
    version: 1,
    sql: """
      CREATE TABLE inference_logs (
        device_id TEXT NOT NULL, timestamp TEXT NOT NULL, model_version TEXT NOT NULL,
        prediction REAL, confidence REAL, latency_ms REAL, input_hash TEXT, label REAL,
        region TEXT, model_name TEXT NOT NULL, epoch TEXT NOT NULL, seq INTEGER NOT NULL,
        received_at TEXT NOT NULL, future_clock INTEGER NOT NULL);
      CREATE UNIQUE INDEX inference_logs_by_identity ON inference_logs (device_id, epoch, seq);
      CREATE INDEX inference_logs_by_timestamp ON inference_logs (timestamp);
      CREATE INDEX inference_logs_by_received ON inference_logs (received_at);
      CREATE TABLE heartbeats (
        device_id TEXT PRIMARY KEY, received_at REAL NOT NULL, sent_at_ms INTEGER NOT NULL,
        agent_version TEXT NOT NULL, cpu_percent REAL NOT NULL, memory_bytes INTEGER NOT NULL,
        disk_free_bytes INTEGER NOT NULL, spool_bytes INTEGER NOT NULL,
        spool_records INTEGER NOT NULL, spool_full INTEGER NOT NULL) WITHOUT ROWID;
      """ + AuditTrail.schemaSQL)

  public static let migrations: [Migration] = [
    logMigration, RollupSchema.migration, AlertSchema.migration, PlannerStatistics.migration,
    DayFiguresSchema.firstMigration, LogPartitions.migration, DayFiguresSchema.migration,
  ]
}

/// A column of the inference log as the catalog lists it: its name and Spark SQL type.
public struct InferenceLogColumn: Sendable, Equatable {
  public let name: String
  public let typeName: String
  /// Whether the telemetry service fills it in, rather than the device.
  public let serverSide: Bool
}

/// The inference log's columns, in table order.
public enum InferenceLogColumns {
  public static let all: [InferenceLogColumn] = [
    InferenceLogColumn(name: "device_id", typeName: "STRING", serverSide: false),
    InferenceLogColumn(name: "timestamp", typeName: "TIMESTAMP", serverSide: false),
    InferenceLogColumn(name: "model_version", typeName: "STRING", serverSide: false),
    InferenceLogColumn(name: "prediction", typeName: "DOUBLE", serverSide: false),
    InferenceLogColumn(name: "confidence", typeName: "DOUBLE", serverSide: false),
    InferenceLogColumn(name: "latency_ms", typeName: "DOUBLE", serverSide: false),
    InferenceLogColumn(name: "input_hash", typeName: "STRING", serverSide: false),
    InferenceLogColumn(name: "label", typeName: "DOUBLE", serverSide: false),
    InferenceLogColumn(name: "region", typeName: "STRING", serverSide: true),
    InferenceLogColumn(name: "model_name", typeName: "STRING", serverSide: false),
    InferenceLogColumn(name: "epoch", typeName: "STRING", serverSide: false),
    InferenceLogColumn(name: "seq", typeName: "BIGINT", serverSide: false),
    InferenceLogColumn(name: "received_at", typeName: "TIMESTAMP", serverSide: true),
    InferenceLogColumn(name: "future_clock", typeName: "BOOLEAN", serverSide: true),
  ]

  public static var names: [String] { all.map(\.name) }
}
