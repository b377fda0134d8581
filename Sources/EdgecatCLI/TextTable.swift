/// Rows of text in columns padded to the widest cell, for people to read. Columns are two
/// spaces apart and the last one is not padded, so no line ends in spaces.
public struct TextTable: Sendable {
  public var headers: [String]
  public var rows: [[String]]

  public init(headers: [String], rows: [[String]]) {
    self.headers = headers
    self.rows = rows
  }

  /// Renders the table as lines ending in newlines, the header first, or "(none)" without rows.
  public func render(indent: String = "") -> String {
    guard !rows.isEmpty else { return indent + "(none)\n" }
    var widths = headers.map(\.count)
    for row in rows {
      for (index, cell) in row.enumerated() where index < widths.count {
        widths[index] = max(widths[index], cell.count)
      }
    }
    var text = ""
    for line in [headers] + rows {
      var rendered = indent
      for (index, cell) in line.enumerated() {
        // Line breaks inside a cell would break the columns, so they print as spaces.
        let flat = cell.replacing("\n", with: " ")
        rendered += flat
        if index < line.count - 1 {
          rendered += String(repeating: " ", count: widths[index] - flat.count + 2)
        }
      }
      text += rendered.trimmingTrailingSpaces() + "\n"
    }
    return text
  }
}

/// A column of a list table: the header, and the key of each item's JSON value. A key that
/// the item contains as written wins over a dotted path, so SQL column names such as
/// `avg(l.latency_ms)` find their values.
public struct TableColumn: Sendable {
  public let header: String
  public let key: String
  /// Turns the value into the cell's text; `JSONValue.cellText` when nil.
  public let format: (@Sendable (JSONValue) -> String)?
  /// Whether `format` gets the whole item rather than its value at `key`.
  let formatsItem: Bool

  public init(
    _ key: String, header: String? = nil, format: (@Sendable (JSONValue) -> String)? = nil
  ) {
    self.key = key
    self.header = header ?? key.split(separator: ".").last.map { $0.uppercased() } ?? key
    self.format = format
    self.formatsItem = false
  }

  /// Creates a column whose cells `format` makes from the whole item, such as one that joins
  /// two keys.
  public init(header: String, item format: @escaping @Sendable (JSONValue) -> String) {
    self.key = ""
    self.header = header
    self.format = format
    self.formatsItem = true
  }

  func cell(of item: JSONValue) -> String {
    if formatsItem, let format { return format(item) }
    let value = item[key] ?? item.value(atPath: key) ?? .null
    return format?(value) ?? value.cellText
  }
}

extension JSONValue {
  /// The value as one table cell: strings as they are, lists joined by ", ", objects as
  /// `key=value` pairs and null as nothing.
  public var cellText: String {
    switch self {
    case .null: return ""
    case .bool(let value): return value ? "true" : "false"
    case .number(let digits): return digits
    case .string(let value): return value
    case .array(let elements): return elements.map(\.cellText).joined(separator: ", ")
    case .object(let pairs): return pairs.map { "\($0.0)=\($0.1.cellText)" }.joined(separator: ", ")
    }
  }
}
