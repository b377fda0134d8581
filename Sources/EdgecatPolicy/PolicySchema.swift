import EdgecatCore
import EdgecatStore

/// The numbered migrations of the policy database.
enum PolicySchema {
  static let migrations = [
    Migration(
      version: 1,
      sql: """
        CREATE TABLE policy_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        INSERT INTO policy_meta (key, value) VALUES ('revision', '0'), ('bootstrapped', '0');
        CREATE TABLE principals (
          name TEXT PRIMARY KEY, kind TEXT NOT NULL, created_at REAL NOT NULL);
        INSERT INTO principals (name, kind, created_at) VALUES
          ('account users', 'GROUP', 0), ('metastore-admins', 'GROUP', 0),
          ('edgecat-services', 'GROUP', 0);
        CREATE TABLE memberships (
          group_name TEXT NOT NULL, member TEXT NOT NULL, PRIMARY KEY (group_name, member));
        CREATE TABLE principal_attributes (
          principal TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
          PRIMARY KEY (principal, key));
        CREATE TABLE tokens (
          id TEXT PRIMARY KEY, principal TEXT NOT NULL, token_hash TEXT NOT NULL UNIQUE,
          description TEXT NOT NULL, created_at REAL NOT NULL, expires_at REAL,
          revoked_at REAL);
        CREATE TABLE securables (
          full_name TEXT PRIMARY KEY, type TEXT NOT NULL, owner TEXT NOT NULL,
          created_at REAL NOT NULL, columns TEXT NOT NULL DEFAULT '',
          function_parameters TEXT, function_return_type TEXT, function_body TEXT);
        INSERT INTO securables (full_name, type, owner, created_at)
          VALUES ('', 'METASTORE', 'metastore-admins', 0);
        CREATE TABLE grants (
          securable TEXT NOT NULL, principal TEXT NOT NULL, privilege TEXT NOT NULL,
          PRIMARY KEY (securable, principal, privilege));
        CREATE TABLE row_filters (
          table_name TEXT PRIMARY KEY, function_name TEXT NOT NULL, columns TEXT NOT NULL);
        CREATE TABLE column_masks (
          table_name TEXT NOT NULL, column_name TEXT NOT NULL, function_name TEXT NOT NULL,
          extra_columns TEXT NOT NULL, PRIMARY KEY (table_name, column_name));
        CREATE TABLE changes (
          revision INTEGER NOT NULL, kind TEXT NOT NULL, principal TEXT, securable TEXT);
        CREATE INDEX changes_by_revision ON changes (revision);
        CREATE TABLE audit_events (
          id TEXT PRIMARY KEY, time REAL NOT NULL, action TEXT NOT NULL,
          principal TEXT NOT NULL, securable TEXT, parameters TEXT NOT NULL,
          result TEXT NOT NULL, request_id TEXT NOT NULL, revision INTEGER NOT NULL);
        CREATE INDEX audit_events_by_time ON audit_events (time);
        """),
    // Indexes for the filters of the audit listing, and the decision log of Check calls.
    // Each index ends in `time`, so a filtered page reads its rows newest first.
    Migration(
      version: 2,
      sql: """
        CREATE INDEX audit_events_by_principal ON audit_events (principal, time);
        CREATE INDEX audit_events_by_action ON audit_events (action, time);
        CREATE INDEX audit_events_by_securable ON audit_events (securable, time);
        CREATE TABLE decision_log (
          id TEXT NOT NULL, time REAL NOT NULL, principal TEXT NOT NULL,
          privilege TEXT NOT NULL, securable TEXT NOT NULL, allowed INTEGER NOT NULL,
          reason TEXT NOT NULL, caller TEXT NOT NULL, request_id TEXT NOT NULL,
          revision INTEGER NOT NULL);
        CREATE INDEX decision_log_by_time ON decision_log (time);
        CREATE INDEX decision_log_by_principal ON decision_log (principal, time);
        CREATE INDEX decision_log_by_securable ON decision_log (securable, time);
        """),
    // The caller's address in audit events; rows written before this migration have none.
    Migration(
      version: 3,
      sql: "ALTER TABLE audit_events ADD COLUMN peer TEXT NOT NULL DEFAULT '';"),
    // The decision log in batches: each row holds up to 1024 decisions of one flush, with their
    // shared fields stored once (see DecisionBatch). The names table lists the principals and
    // securables of each batch for the listing filters. When the engine opens,
    // `DecisionLog.convertRows` moves the rows of `decision_log` into batches.
    Migration(
      version: 4,
      sql: """
        CREATE TABLE decision_batches (
          id INTEGER PRIMARY KEY, first_time REAL NOT NULL, last_time REAL NOT NULL,
          count INTEGER NOT NULL, body BLOB NOT NULL);
        CREATE INDEX decision_batches_by_last_time ON decision_batches (last_time);
        CREATE TABLE decision_batch_names (
          field INTEGER NOT NULL, name TEXT NOT NULL, batch INTEGER NOT NULL,
          PRIMARY KEY (field, name, batch)) WITHOUT ROWID;
        CREATE INDEX decision_batch_names_by_batch ON decision_batch_names (batch);
        """),
  ]

  /// Joins names for a list column; names never contain a comma.
  static func encodeList(_ names: [String]) -> String { names.joined(separator: ",") }

  static func decodeList(_ text: String) -> [String] {
    text.isEmpty ? [] : text.split(separator: ",").map(String.init)
  }

  /// Encodes parameters as `name TYPE` pairs separated by commas.
  static func encodeParameters(_ parameters: [FunctionParameter]) -> String {
    parameters.map { "\($0.name) \($0.type)" }.joined(separator: ",")
  }

  static func decodeParameters(_ text: String) -> [FunctionParameter] {
    decodeList(text).map { pair in
      let fields = pair.split(separator: " ", maxSplits: 1).map(String.init)
      return FunctionParameter(name: fields[0], type: fields.count > 1 ? fields[1] : "")
    }
  }
}
