import EdgecatCore
import EdgecatStore

/// The catalog database's tables.
enum CatalogSchema {
  static let migrations: [Migration] = [
    // `objects` holds every catalog, schema and object. A row in state 1 is being dropped:
    // reads skip it, and a restart finishes the drop. Full names are unique, so a name is
    // unique across kinds within a schema. Empty strings stand for "no schema" and "no
    // parent", so that equality filters and the listing index work without NULLs.
    Migration(
      version: 1,
      sql: """
        CREATE TABLE metastore (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
        CREATE TABLE objects (
          id INTEGER PRIMARY KEY, kind TEXT NOT NULL, full_name TEXT NOT NULL UNIQUE,
          catalog_name TEXT NOT NULL, schema_name TEXT NOT NULL, name TEXT NOT NULL,
          parent TEXT NOT NULL, owner TEXT NOT NULL, hosted_by TEXT NOT NULL,
          details BLOB NOT NULL, state INTEGER NOT NULL DEFAULT 0,
          created_at REAL NOT NULL, created_by TEXT NOT NULL,
          updated_at REAL NOT NULL, updated_by TEXT NOT NULL);
        CREATE INDEX objects_by_parent ON objects (parent, name);
        CREATE INDEX objects_by_kind ON objects (kind, full_name);
        CREATE INDEX objects_by_catalog ON objects (catalog_name, schema_name);
        CREATE TABLE tags (
          full_name TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
          PRIMARY KEY (full_name, key)) WITHOUT ROWID;
        CREATE TABLE lineage_edges (
          source TEXT NOT NULL, target TEXT NOT NULL, kind TEXT NOT NULL,
          recorded_by TEXT NOT NULL, recorded_at REAL NOT NULL,
          PRIMARY KEY (source, target, kind)) WITHOUT ROWID;
        CREATE INDEX lineage_by_target ON lineage_edges (target);
        """ + AuditTrail.schemaSQL)
  ]
}
