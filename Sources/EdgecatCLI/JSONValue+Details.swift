extension JSONValue {
  /// One object as people read it: a `key  value` line per scalar field, nested objects as
  /// dotted keys, then each list of objects as a table under its key.
  public func renderDetails() -> String {
    var fields: [(String, String)] = []
    var tables: [(String, [JSONValue])] = []
    collectDetails(prefix: "", fields: &fields, tables: &tables)
    let width = fields.map(\.0.count).max() ?? 0
    var text = ""
    for (key, value) in fields {
      let line = key + String(repeating: " ", count: width - key.count + 2) + value
      text += line.trimmingTrailingSpaces() + "\n"
    }
    for (key, items) in tables {
      text += "\(key):\n" + JSONValue.table(of: items).render(indent: "  ")
    }
    return text
  }

  private func collectDetails(
    prefix: String, fields: inout [(String, String)], tables: inout [(String, [JSONValue])]
  ) {
    guard case .object(let pairs) = self else {
      fields.append((prefix, cellText))
      return
    }
    for (key, value) in pairs {
      let path = prefix.isEmpty ? key : prefix + "." + key
      switch value {
      case .object(let nested) where !nested.isEmpty:
        value.collectDetails(prefix: path, fields: &fields, tables: &tables)
      case .array(let elements) where elements.contains(where: \.isObject):
        tables.append((path, elements))
      default:
        fields.append((path, value.cellText))
      }
    }
  }

  /// A table of objects with one column per key, in order of first appearance.
  static func table(of items: [JSONValue]) -> TextTable {
    var keys: [String] = []
    for case .object(let pairs) in items {
      for (key, _) in pairs where !keys.contains(key) { keys.append(key) }
    }
    let columns = keys.map { TableColumn($0) }
    return TextTable(
      headers: columns.map(\.header), rows: items.map { item in columns.map { $0.cell(of: item) } })
  }

  var isObject: Bool {
    if case .object = self { return true }
    return false
  }
}

extension String {
  func trimmingTrailingSpaces() -> String {
    var text = self
    while text.last == " " { text.removeLast() }
    return text
  }
}
