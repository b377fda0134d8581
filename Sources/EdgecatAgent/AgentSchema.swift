import EdgecatStore

/// Migrations of the agent's database: the spool of records and labels waiting for telemetry,
/// its quarantine of entries telemetry rejected, and the model slots the model manager keeps across restarts.
enum AgentSchema {
  static let migrations = [
    Migration(
      version: 1,
      sql: """
        CREATE TABLE spool_state (
          id INTEGER PRIMARY KEY CHECK (id = 1),
          epoch TEXT NOT NULL,
          next_seq INTEGER NOT NULL,
          bytes INTEGER NOT NULL,
          records INTEGER NOT NULL,
          labels INTEGER NOT NULL
        );
        CREATE TABLE pending_records (
          seq INTEGER PRIMARY KEY,
          timestamp_ms INTEGER NOT NULL,
          model_full_name TEXT NOT NULL,
          model_version INTEGER NOT NULL,
          prediction REAL NOT NULL,
          confidence REAL,
          latency_ms REAL NOT NULL,
          input_hash TEXT NOT NULL,
          label REAL,
          byte_size INTEGER NOT NULL
        );
        CREATE TABLE pending_labels (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          epoch TEXT NOT NULL,
          seq INTEGER NOT NULL,
          label REAL NOT NULL,
          byte_size INTEGER NOT NULL
        );
        CREATE TABLE model_slots (
          slot TEXT PRIMARY KEY CHECK (slot IN ('running', 'previous', 'candidate')),
          model_full_name TEXT NOT NULL,
          version INTEGER NOT NULL,
          sha256 TEXT NOT NULL,
          format TEXT NOT NULL,
          desired_generation INTEGER NOT NULL
        );
        CREATE TABLE agent_counters (
          name TEXT PRIMARY KEY,
          value INTEGER NOT NULL
        );
        """),
    // Entries telemetry rejected on their own, kept for inspection. Their bytes stay in
    // spool_state.bytes, so quarantine counts against the spool's byte cap.
    Migration(
      version: 2,
      sql: """
        ALTER TABLE spool_state ADD COLUMN quarantined INTEGER NOT NULL DEFAULT 0;
        CREATE TABLE quarantined_records (
          seq INTEGER PRIMARY KEY,
          timestamp_ms INTEGER NOT NULL,
          model_full_name TEXT NOT NULL,
          model_version INTEGER NOT NULL,
          prediction REAL NOT NULL,
          confidence REAL,
          latency_ms REAL NOT NULL,
          input_hash TEXT NOT NULL,
          label REAL,
          byte_size INTEGER NOT NULL,
          status_code INTEGER NOT NULL,
          message TEXT NOT NULL,
          quarantined_ms INTEGER NOT NULL
        );
        CREATE TABLE quarantined_labels (
          id INTEGER PRIMARY KEY,
          epoch TEXT NOT NULL,
          seq INTEGER NOT NULL,
          label REAL NOT NULL,
          byte_size INTEGER NOT NULL,
          status_code INTEGER NOT NULL,
          message TEXT NOT NULL,
          quarantined_ms INTEGER NOT NULL
        );
        """),
  ]
}
