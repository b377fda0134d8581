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
        """ + AuditTrail.schemaSQL)
  ]
}
