/// Facts that SQLite reports about a statement that `Database.check` prepared without running it.
public struct StatementDescription: Sendable, Hashable {
  /// The number of `?`, `?NNN`, `:name`, `@name` and `$name` parameters, from
  /// `sqlite3_bind_parameter_count`.
  public let parameterCount: Int
  /// The result column names, the `AS` alias where one is given.
  public let columnNames: [String]
  /// True when the statement makes no direct change to the database file, from
  /// `sqlite3_stmt_readonly`.
  public let isReadOnly: Bool

  public init(parameterCount: Int, columnNames: [String], isReadOnly: Bool) {
    self.parameterCount = parameterCount
    self.columnNames = columnNames
    self.isReadOnly = isReadOnly
  }
}
