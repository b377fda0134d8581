import EdgecatCore
import EdgecatStore

extension AlertEngine {
  /// Creates each default rule once, with an audit event by the service principal. A default
  /// that no one has edited takes the current settings again, so a changed flag applies. An
  /// edited or deleted default is left alone, and so is a rule created earlier under a
  /// default's name.
  public func seedDefaultRules() async throws(ServiceError) {
    let defaults = AlertDefaults.rules(settings)
    let now = clock()
    let changes: [String]
    do {
      changes = try await store.write { db in
        var changes: [String] = []
        for rule in defaults {
          let seeded = try db.queryOne(
            "SELECT 1 FROM alert_seeded_defaults WHERE name = ?", .text(rule.name))
          if seeded == nil {
            try db.execute(
              "INSERT INTO alert_seeded_defaults (name, seeded_at) VALUES (?, ?)",
              .text(rule.name), .real(now))
            let existing = try db.queryOne(
              "SELECT 1 FROM alert_rules WHERE name = ?", .text(rule.name))
            guard existing == nil else { continue }
            try Self.insert(rule, isDefault: true, at: now, in: db)
            try self.auditDefault("CreateAlertRule", rule.name, in: db)
            changes.append("created " + rule.name)
          } else if try Self.refreshDefault(rule, at: now, in: db) {
            try self.auditDefault("UpdateAlertRule", rule.name, in: db)
            changes.append("refreshed " + rule.name)
          }
        }
        return changes
      }
    } catch {
      throw storageError(error, "creating the default alert rules")
    }
    if !changes.isEmpty {
      logger.info("default alert rules stored", ["changes": changes.joined(separator: ", ")])
    }
  }

  private func auditDefault(_ action: String, _ name: String, in db: Database) throws {
    try AuditTrail.insert(serviceAudit(action, securable: nil, [("name", name)]), into: db)
  }

  /// Sets an unedited default rule to `rule`, and returns whether anything changed.
  private static func refreshDefault(_ rule: AlertRule, at now: Double, in db: Database) throws
    -> Bool
  {
    guard
      let row = try db.queryOne(
        "SELECT \(AlertRows.ruleColumns) FROM alert_rules WHERE name = ? AND is_default = 1",
        .text(rule.name))
    else { return false }
    var stored = AlertRows.rule(row)
    stored.createdAt = ""
    stored.updatedAt = ""
    guard stored != rule else { return false }
    try update(rule, isDefault: true, at: now, in: db)
    return true
  }
}
