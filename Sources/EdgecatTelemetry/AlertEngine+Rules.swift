import EdgecatCore
import EdgecatProto
import EdgecatStore

extension AlertEngine {
  /// Adds a rule with its audit event. An empty description becomes one such as
  /// "accuracy < 0.9". A taken name is ALREADY_EXISTS; an invalid rule is INVALID_ARGUMENT.
  public func createRule(_ rule: Edgecat_Telemetry_V1_AlertRule, audit: AuditRecord)
    async throws(ServiceError) -> Edgecat_Telemetry_V1_AlertRule
  {
    var rule = rule
    try AlertRuleValidation.validate(rule)
    if rule.description.isEmpty { rule.description = AlertNames.describe(rule) }
    let now = clock()
    let stored = rule
    do {
      try await store.write { db in
        try Self.insert(stored, isDefault: false, at: now, in: db)
        try AuditTrail.insert(audit, into: db)
      }
    } catch let error as StoreError where error.isConstraintViolation {
      throw .alreadyExists(
        "alert rule \"\(rule.name)\" already exists; update it or choose another name")
    } catch {
      throw storageError(error, "creating alert rule \(rule.name)")
    }
    rule.createdAt = DatetimeText.format(now)
    rule.updatedAt = rule.createdAt
    return rule
  }

  /// Returns the rule called `name`; NOT_FOUND when there is none.
  public func rule(named name: String) async throws(ServiceError)
    -> Edgecat_Telemetry_V1_AlertRule
  {
    do {
      return try await store.read { db in try Self.requireRule(name, in: db) }
    } catch {
      throw storageError(error, "reading alert rule \(name)")
    }
  }

  /// Returns a page of the rules, ordered by name.
  public func listRules(pageSize: Int32, pageToken: String) async throws(ServiceError)
    -> (rules: [Edgecat_Telemetry_V1_AlertRule], nextPageToken: String)
  {
    let limit = try Paging.limit(Int(pageSize))
    let list = "alert-rules"
    let after = try Paging.cursor(in: pageToken, list: list) ?? ""
    let rules: [AlertRule]
    do {
      rules = try await store.read { db in
        try db.query(
          "SELECT \(AlertRows.ruleColumns) FROM alert_rules WHERE name > ? ORDER BY name"
            + " LIMIT ?", .text(after), .integer(Int64(limit) + 1)
        ).map(AlertRows.rule)
      }
    } catch {
      throw storageError(error, "listing alert rules")
    }
    guard rules.count > limit else { return (rules, "") }
    let page = Array(rules.prefix(limit))
    return (page, Paging.token(list: list, cursor: page[limit - 1].name))
  }

  /// Changes the fields of the rule named `rule.name` that `mask` names (every field but the
  /// name when empty) with the audit event, and returns the stored rule. A description that
  /// was generated is generated again from the new values. A new metric or scope removes the
  /// rule's current alerts, whose subjects it no longer judges; their transitions stay. A
  /// missing rule is NOT_FOUND.
  public func updateRule(
    _ rule: Edgecat_Telemetry_V1_AlertRule, mask: [String], audit: AuditRecord
  ) async throws(ServiceError) -> Edgecat_Telemetry_V1_AlertRule {
    try AlertRuleValidation.validateName(rule.name)
    try AlertRuleValidation.validateMask(mask)
    let now = clock()
    do {
      return try await store.write { db in
        let current = try Self.requireRule(rule.name, in: db)
        var updated = try AlertRuleValidation.merge(rule, into: current, mask: mask)
        let keptGenerated =
          current.description == AlertNames.describe(current)
          && updated.description == current.description
        if updated.description.isEmpty || keptGenerated {
          updated.description = AlertNames.describe(updated)
        }
        try AlertRuleValidation.validate(updated)
        try Self.update(updated, isDefault: false, at: now, in: db)
        if updated.metric != current.metric || updated.scope != current.scope {
          try db.execute("DELETE FROM alerts WHERE rule_name = ?", .text(rule.name))
        }
        try AuditTrail.insert(audit, into: db)
        updated.updatedAt = DatetimeText.format(now)
        return updated
      }
    } catch {
      throw storageError(error, "updating alert rule \(rule.name)")
    }
  }

  /// Removes a rule and its current alerts with the audit event; stored transitions stay.
  /// A missing rule is NOT_FOUND.
  public func deleteRule(named name: String, audit: AuditRecord) async throws(ServiceError) {
    do {
      try await store.write { db in
        _ = try Self.requireRule(name, in: db)
        try db.execute("DELETE FROM alerts WHERE rule_name = ?", .text(name))
        try db.execute("DELETE FROM alert_rules WHERE name = ?", .text(name))
        try AuditTrail.insert(audit, into: db)
      }
    } catch {
      throw storageError(error, "deleting alert rule \(name)")
    }
  }
}
