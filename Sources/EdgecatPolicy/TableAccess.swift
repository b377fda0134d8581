import EdgecatCore

/// The data-access decision for a principal reading a table: whether it may, and the row
/// filter and column masks the engine that serves rows must apply to every reader.
public struct TableAccess: Sendable {
  /// The SELECT decision, with its reason and revision.
  public let decision: Decision
  /// A boolean SQL expression over the table's columns; nil when the table has no row filter.
  public let rowFilter: String?
  /// One expression per masked column, sorted by column name.
  public let columnMasks: [ColumnMaskExpression]
}

/// The expression that replaces a masked column's value.
public struct ColumnMaskExpression: Sendable, Hashable {
  public let column: String
  /// A SQL expression over the table's columns, its first parameter replaced by `column`.
  public let expression: String
}

extension PolicyModel {
  /// Returns the row filter of `table` as an expression, its parameters replaced by columns.
  func rowFilterExpression(of table: Int32) -> String? {
    guard let binding = rowFilters[table], let function = securable(binding.function).function
    else { return nil }
    return expression(function, columns: binding.columns)
  }

  /// Returns the masks of `table`, sorted by column.
  func maskExpressions(of table: Int32) -> [ColumnMaskExpression] {
    guard let masks = columnMasks[table] else { return [] }
    return masks.keys.sorted().compactMap { column in
      let binding = masks[column]!
      guard let function = securable(binding.function).function else { return nil }
      return ColumnMaskExpression(
        column: column, expression: expression(function, columns: [column] + binding.extraColumns))
    }
  }

  private func expression(_ function: FunctionDefinition, columns: [String]) -> String {
    var replacements: [String: String] = [:]
    for (parameter, column) in zip(function.parameters, columns) {
      replacements[parameter.name] = column
    }
    return SQLExpression.substitute(function.body, replacements: replacements)
  }
}
