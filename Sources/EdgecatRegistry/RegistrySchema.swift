import EdgecatCore
import EdgecatStore

/// The registry database's tables.
enum RegistrySchema {
  static let migrations: [Migration] = [
    // `models` has one row per registered model the registry has state for, and `last_version`
    // is the highest number ever given to a version of it, so numbers are never reused after
    // a delete. `details` of a version is its ModelVersion message with only the fields set
    // at creation and its tags. `artifacts` has one row per stored blob file, which versions
    // reference by hash. An alias's `previous_version` is the version it named before its
    // last move, 0 when none.
    Migration(
      version: 1,
      sql: """
        CREATE TABLE models (
          full_name TEXT PRIMARY KEY, last_version INTEGER NOT NULL, created_at REAL NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE model_versions (
          model TEXT NOT NULL REFERENCES models (full_name), version INTEGER NOT NULL,
          status INTEGER NOT NULL, status_message TEXT NOT NULL,
          artifact_sha256 TEXT REFERENCES artifacts (sha256), artifact_size INTEGER NOT NULL,
          details BLOB NOT NULL, rolled_back_at REAL, rollback_cause TEXT NOT NULL,
          created_by TEXT NOT NULL, created_at REAL NOT NULL, updated_at REAL NOT NULL,
          PRIMARY KEY (model, version)) WITHOUT ROWID;
        CREATE INDEX model_versions_by_artifact ON model_versions (artifact_sha256);
        CREATE TABLE artifacts (
          sha256 TEXT PRIMARY KEY, size INTEGER NOT NULL, created_at REAL NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE aliases (
          model TEXT NOT NULL, alias TEXT NOT NULL, version INTEGER NOT NULL,
          previous_version INTEGER NOT NULL, updated_at REAL NOT NULL,
          PRIMARY KEY (model, alias),
          FOREIGN KEY (model, version) REFERENCES model_versions (model, version)
        ) WITHOUT ROWID;
        CREATE INDEX aliases_by_version ON aliases (model, version);
        """ + AuditTrail.schemaSQL),
    // Devices and rollouts. `details` of a device is its Device message with the fields an
    // admin sets, and `report` its last ReportDeviceStateRequest. `desired_states` has one
    // row per device and model the device should run, and `desired_generation` starts at the
    // registration time in milliseconds and counts the changes of a device's rows. A
    // deployment's `selector` and `strategy` are its messages, the strategy with the defaults
    // filled in, and `sequence` orders deployments by creation.
    // `rollback_firings` remembers the alert firings that rolled a deployment back.
    Migration(
      version: 2,
      sql: """
        CREATE TABLE devices (
          device_id TEXT PRIMARY KEY, device_group TEXT NOT NULL, details BLOB NOT NULL,
          report BLOB, reported_at REAL, desired_generation INTEGER NOT NULL,
          desired_updated_at REAL, created_at REAL NOT NULL, updated_at REAL NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX devices_by_group ON devices (device_group, device_id);
        CREATE TABLE desired_states (
          device_id TEXT NOT NULL, model TEXT NOT NULL, version INTEGER NOT NULL,
          artifact_sha256 TEXT NOT NULL, artifact_size INTEGER NOT NULL, format TEXT NOT NULL,
          deployment_id TEXT NOT NULL, updated_at REAL NOT NULL,
          PRIMARY KEY (device_id, model)) WITHOUT ROWID;
        CREATE INDEX desired_states_by_version ON desired_states (model, version);
        CREATE TABLE deployments (
          id TEXT PRIMARY KEY, sequence INTEGER NOT NULL UNIQUE, model TEXT NOT NULL,
          version INTEGER NOT NULL, alias TEXT NOT NULL, alias_previous_version INTEGER NOT NULL,
          selector BLOB NOT NULL, strategy BLOB NOT NULL, state INTEGER NOT NULL,
          current_stage INTEGER NOT NULL, soak_started_at REAL, state_message TEXT NOT NULL,
          created_by TEXT NOT NULL, created_at REAL NOT NULL, updated_at REAL NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX deployments_by_model ON deployments (model, sequence);
        CREATE INDEX deployments_by_state ON deployments (state, sequence);
        CREATE TABLE deployment_devices (
          deployment_id TEXT NOT NULL, device_id TEXT NOT NULL, stage INTEGER NOT NULL,
          state INTEGER NOT NULL, previous_version INTEGER NOT NULL,
          target_version INTEGER NOT NULL, targeted_at REAL, message TEXT NOT NULL,
          updated_at REAL NOT NULL,
          PRIMARY KEY (deployment_id, device_id)) WITHOUT ROWID;
        CREATE INDEX deployment_devices_by_device ON deployment_devices (device_id);
        CREATE TABLE rollback_firings (
          firing_id TEXT PRIMARY KEY, deployment_id TEXT NOT NULL, created_at REAL NOT NULL
        ) WITHOUT ROWID;
        """),
    // The lineage outbox: one row per edge a deployment step records in the catalog, written
    // in the step's transaction and deleted once the catalog stored the edge. `principal` is
    // NULL for steps the registry ran itself, and `environment` is NULL when the step's
    // request named none. `failed_at` and `error` are set when the catalog rejected the edge
    // permanently, and such rows stay for an operator to inspect and are not sent again.
    Migration(
      version: 3,
      sql: """
        CREATE TABLE lineage_outbox (
          id INTEGER PRIMARY KEY, source TEXT NOT NULL, target TEXT NOT NULL, kind TEXT NOT NULL,
          principal TEXT, request_id TEXT NOT NULL, environment TEXT, queued_at REAL NOT NULL,
          failed_at REAL, error TEXT);
        CREATE INDEX lineage_outbox_pending ON lineage_outbox (id) WHERE failed_at IS NULL;
        """),
  ]
}
