/// One result row, copied out of SQLite, so it stays valid after the statement moves on.
/// Values are readable by column index or by column name.
public struct Row: Sendable {
  /// The values in column order.
  public let values: [SQLValue]
  let columns: ColumnNames

  init(values: [SQLValue], columns: ColumnNames) {
    self.values = values
    self.columns = columns
  }

  /// The column names in order, as SQLite reports them (the `AS` alias where one is given).
  public var columnNames: [String] { columns.names }

  public var count: Int { values.count }

  /// Returns the value in column `index`; the index must be in `0..<count`.
  public subscript(index: Int) -> SQLValue {
    precondition(index >= 0 && index < values.count, "column index \(index) out of range")
    return values[index]
  }

  /// Returns the value of the column called `name`; the column must exist.
  /// With duplicate names, the first column of that name wins.
  public subscript(name: String) -> SQLValue {
    guard let value = value(named: name) else {
      preconditionFailure("no column named \(name); columns are \(columns.names)")
    }
    return value
  }

  /// Returns the value of the column called `name`, or nil when there is no such column.
  public func value(named name: String) -> SQLValue? {
    guard let index = columns.indexByName[name] else { return nil }
    return values[index]
  }
}

/// Column names of one statement execution, shared by all rows it returns.
final class ColumnNames: Sendable {
  let names: [String]
  let indexByName: [String: Int]

  init(_ names: [String]) {
    self.names = names
    var index: [String: Int] = [:]
    for (position, name) in names.enumerated() where index[name] == nil {
      index[name] = position
    }
    indexByName = index
  }
}
