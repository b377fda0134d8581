import EdgecatCore
import EdgecatStore

extension PolicyEngine {
  /// Sets the row filter of `table` to `function` applied to `columns`, replacing any earlier
  /// one. Needs the right to manage the table and EXECUTE on the function.
  @discardableResult
  public func setRowFilter(
    on table: String, function: String, columns: [String], context: RequestContext
  ) async throws -> WriteResult {
    let details = AuditDetails(
      action: "setRowFilter", securable: table,
      parameters: [("function", function), ("columns", columns.joined(separator: ","))])
    return try await performWrite(details, context: context) { model, pending in
      let (tableEntry, functionEntry) = try bindingTargets(table, function, context, model)
      let definition = functionEntry.function!
      guard definition.returnType == nil || definition.returnType == "BOOLEAN" else {
        throw PolicyError.invalidArgument(
          "function \(functionEntry.fullName) returns \(definition.returnType!); a row filter"
            + " must return BOOLEAN")
      }
      let columns = try validateBoundColumns(columns, of: tableEntry)
      try requireArity(definition, functionEntry, columns.count, use: "row filter")
      let binding = RowFilterBinding(function: functionEntry.id, columns: columns)
      guard model.rowFilters[tableEntry.id] != binding else { return }
      model.rowFilters[tableEntry.id] = binding
      pending.execute(
        "INSERT OR REPLACE INTO row_filters (table_name, function_name, columns)"
          + " VALUES (?, ?, ?)", .text(tableEntry.fullName), .text(functionEntry.fullName),
        .text(PolicySchema.encodeList(columns)))
      pending.record(.rowFilterChanged, securable: tableEntry.fullName)
    }.result
  }

  /// Removes the row filter of `table`; a table without one is left unchanged.
  @discardableResult
  public func removeRowFilter(on table: String, context: RequestContext) async throws
    -> WriteResult
  {
    let details = AuditDetails(action: "removeRowFilter", securable: table, parameters: [])
    return try await performWrite(details, context: context) { model, pending in
      let tableEntry = try manageableTable(table, context, model)
      guard model.rowFilters[tableEntry.id] != nil else { return }
      model.rowFilters[tableEntry.id] = nil
      pending.execute("DELETE FROM row_filters WHERE table_name = ?", .text(tableEntry.fullName))
      pending.record(.rowFilterChanged, securable: tableEntry.fullName)
    }.result
  }

  /// Sets the mask of `column` to `function` of the column and `extraColumns`, replacing any
  /// earlier one. Needs the right to manage the table and EXECUTE on the function.
  @discardableResult
  public func setColumnMask(
    on table: String, column: String, function: String, extraColumns: [String] = [],
    context: RequestContext
  ) async throws -> WriteResult {
    let details = AuditDetails(
      action: "setColumnMask", securable: table,
      parameters: [
        ("column", column), ("function", function),
        ("extra_columns", extraColumns.joined(separator: ",")),
      ])
    return try await performWrite(details, context: context) { model, pending in
      let (tableEntry, functionEntry) = try bindingTargets(table, function, context, model)
      let bound = try validateBoundColumns([column] + extraColumns, of: tableEntry)
      try requireArity(functionEntry.function!, functionEntry, bound.count, use: "column mask")
      let binding = ColumnMaskBinding(function: functionEntry.id, extraColumns: [] + bound[1...])
      guard model.columnMasks[tableEntry.id]?[bound[0]] != binding else { return }
      model.columnMasks[tableEntry.id, default: [:]][bound[0]] = binding
      pending.execute(
        "INSERT OR REPLACE INTO column_masks (table_name, column_name, function_name,"
          + " extra_columns) VALUES (?, ?, ?, ?)", .text(tableEntry.fullName), .text(bound[0]),
        .text(functionEntry.fullName), .text(PolicySchema.encodeList(binding.extraColumns)))
      pending.record(.columnMaskChanged, securable: tableEntry.fullName)
    }.result
  }

  /// Removes the mask of `column`; a column without one is left unchanged.
  @discardableResult
  public func removeColumnMask(
    on table: String, column: String, context: RequestContext
  ) async throws -> WriteResult {
    let details = AuditDetails(
      action: "removeColumnMask", securable: table, parameters: [("column", column)])
    return try await performWrite(details, context: context) { model, pending in
      let tableEntry = try manageableTable(table, context, model)
      let column = try validateColumnName(column)
      guard model.columnMasks[tableEntry.id]?[column] != nil else { return }
      model.columnMasks[tableEntry.id]![column] = nil
      if model.columnMasks[tableEntry.id]!.isEmpty { model.columnMasks[tableEntry.id] = nil }
      pending.execute(
        "DELETE FROM column_masks WHERE table_name = ? AND column_name = ?",
        .text(tableEntry.fullName), .text(column))
      pending.record(.columnMaskChanged, securable: tableEntry.fullName)
    }.result
  }

  /// Returns the SELECT decision for `principal` on `table` with the row filter and masks.
  public func resolveTableAccess(
    principal: String, table: String, minimumRevision: UInt64 = 0
  ) throws(PolicyError) -> TableAccess {
    let model = snapshot.model
    let request = CheckRequest(
      principal: principal, privilege: .select, securable: table, securableType: .table,
      minimumRevision: minimumRevision)
    let decision = try decide(request, in: model)
    let id = model.securableIDs[decision.securable]!
    return TableAccess(
      decision: decision, rowFilter: model.rowFilterExpression(of: id),
      columnMasks: model.maskExpressions(of: id))
  }

  private func manageableTable(
    _ table: String, _ context: RequestContext, _ model: PolicyModel
  ) throws(PolicyError) -> SecurableEntry {
    let actor = try requireActor(context, in: model)
    let entry = try lookUpSecurable(table, type: .table, in: model)
    try requireManagement(actor, on: entry, in: model, allowServices: false)
    return entry
  }

  private func bindingTargets(
    _ table: String, _ function: String, _ context: RequestContext, _ model: PolicyModel
  ) throws(PolicyError) -> (table: SecurableEntry, function: SecurableEntry) {
    let tableEntry = try manageableTable(table, context, model)
    let actor = try requireActor(context, in: model)
    let functionEntry = try lookUpSecurable(function, type: .function, in: model)
    let outcome = model.evaluate(actor, .privilege(.execute), on: functionEntry)
    if case .denied = outcome {
      let decision = makeDecision(
        outcome, principal: actor, privilege: .execute, target: functionEntry, in: model)
      throw .permissionDenied(decision.reason)
    }
    return (tableEntry, functionEntry)
  }

  private func validateBoundColumns(
    _ columns: [String], of table: SecurableEntry
  ) throws(PolicyError) -> [String] {
    var result: [String] = []
    for column in columns {
      let name = try validateColumnName(column)
      guard table.columns.isEmpty || table.columns.contains(name) else {
        throw .invalidArgument(
          "table \(table.fullName) has no column '\(name)'; its columns are"
            + " \(table.columns.joined(separator: ", "))")
      }
      result.append(name)
    }
    return result
  }

  private func requireArity(
    _ definition: FunctionDefinition, _ function: SecurableEntry, _ count: Int, use: String
  ) throws(PolicyError) {
    guard definition.parameters.count != count else { return }
    throw .invalidArgument(
      "function \(function.fullName) takes \(definition.parameters.count) parameters but the"
        + " \(use) binds \(count) columns; bind one column per parameter")
  }
}
