import EdgecatCore
import EdgecatStore

/// The `alert_rules` row operations that rule changes and seeding share.
extension AlertEngine {
  static func insert(_ rule: AlertRule, isDefault: Bool, at now: Double, in db: Database) throws {
    try db.execute(
      "INSERT INTO alert_rules (name, metric, scope, condition, threshold, window_seconds,"
        + " min_samples, for_seconds, severity, action, description, enabled, is_default,"
        + " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      AlertRows.ruleValues(rule) + [SQLValue(isDefault), .real(now), .real(now)])
  }

  /// Stores every field of the rule named `rule.name` but its creation time.
  static func update(_ rule: AlertRule, isDefault: Bool, at now: Double, in db: Database) throws {
    try db.execute(
      "UPDATE alert_rules SET metric = ?, scope = ?, condition = ?, threshold = ?,"
        + " window_seconds = ?, min_samples = ?, for_seconds = ?, severity = ?, action = ?,"
        + " description = ?, enabled = ?, is_default = ?, updated_at = ? WHERE name = ?",
      Array(AlertRows.ruleValues(rule).dropFirst())
        + [SQLValue(isDefault), .real(now), .text(rule.name)])
  }

  static func requireRule(_ name: String, in db: Database) throws -> AlertRule {
    guard
      let row = try db.queryOne(
        "SELECT \(AlertRows.ruleColumns) FROM alert_rules WHERE name = ?", .text(name))
    else {
      throw ServiceError.notFound(
        "alert rule \"\(name)\" does not exist; list the alert rules to see which do")
    }
    return AlertRows.rule(row)
  }
}
