import EdgecatStore

/// Alert rules, alerts and their transitions. Enum columns hold the proto enum numbers and
/// times are seconds since the Unix epoch.
///
/// `alert_rules` has one row per rule. `is_default` is 1 for a default rule that no one has
/// edited, so that a start with other settings may refresh it. `alert_seeded_defaults` names
/// each default rule once created, so that a deleted default is not created again.
/// `alerts` has the current state of each rule and subject; `pending_since` is when the
/// condition started to hold, `action_done` is 0 while the action of the current firing has
/// not finished. `alert_transitions` keeps every state change, numbered by `id`.
enum AlertSchema {
  static let migration = Migration(
    version: 3,
    sql: """
      CREATE TABLE alert_rules (
        name TEXT PRIMARY KEY, metric INTEGER NOT NULL, scope INTEGER NOT NULL,
        condition INTEGER NOT NULL, threshold REAL NOT NULL, window_seconds INTEGER NOT NULL,
        min_samples INTEGER NOT NULL, for_seconds INTEGER NOT NULL, severity INTEGER NOT NULL,
        action INTEGER NOT NULL, description TEXT NOT NULL, enabled INTEGER NOT NULL,
        is_default INTEGER NOT NULL, created_at REAL NOT NULL, updated_at REAL NOT NULL);
      CREATE TABLE alert_seeded_defaults (name TEXT PRIMARY KEY, seeded_at REAL NOT NULL);
      CREATE TABLE alerts (
        rule_name TEXT NOT NULL, subject TEXT NOT NULL, state INTEGER NOT NULL,
        severity INTEGER NOT NULL, value REAL NOT NULL, samples INTEGER NOT NULL,
        condition TEXT NOT NULL, action INTEGER NOT NULL, action_result TEXT NOT NULL,
        action_done INTEGER NOT NULL, since REAL NOT NULL, pending_since REAL,
        fired_at REAL, firing_id TEXT NOT NULL, updated_at REAL NOT NULL,
        PRIMARY KEY (rule_name, subject));
      CREATE INDEX alerts_by_since ON alerts (since);
      CREATE TABLE alert_transitions (
        id INTEGER PRIMARY KEY AUTOINCREMENT, rule_name TEXT NOT NULL, subject TEXT NOT NULL,
        from_state INTEGER NOT NULL, to_state INTEGER NOT NULL, value REAL NOT NULL,
        samples INTEGER NOT NULL, severity INTEGER NOT NULL, firing_id TEXT NOT NULL,
        action_result TEXT NOT NULL, at REAL NOT NULL);
      CREATE INDEX alert_transitions_by_rule ON alert_transitions (rule_name, id);
      CREATE INDEX alert_transitions_by_subject ON alert_transitions (subject, id);
      """)
}
