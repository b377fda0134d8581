import EdgecatCore

/// Spark SQL column types, as tables and functions declare them, with the SQLite affinity
/// each maps to.
public enum ColumnType {
  /// Canonical names by accepted spelling.
  static let simpleTypes: [String: String] = [
    "STRING": "STRING", "BOOLEAN": "BOOLEAN", "TINYINT": "TINYINT", "BYTE": "TINYINT",
    "SMALLINT": "SMALLINT", "SHORT": "SMALLINT", "INT": "INT", "INTEGER": "INT",
    "BIGINT": "BIGINT", "LONG": "BIGINT", "FLOAT": "FLOAT", "REAL": "FLOAT", "DOUBLE": "DOUBLE",
    "DATE": "DATE", "TIMESTAMP": "TIMESTAMP", "TIMESTAMP_NTZ": "TIMESTAMP_NTZ",
    "BINARY": "BINARY", "DECIMAL": "DECIMAL", "DEC": "DECIMAL", "NUMERIC": "DECIMAL",
  ]

  /// Returns the canonical upper-case spelling of a type such as `int`, `decimal(10, 2)`,
  /// `varchar(20)`, `array<string>` or `map<string, double>`; anything else is
  /// INVALID_ARGUMENT naming `context`.
  public static func canonical(_ text: String, context: String) throws(ServiceError) -> String {
    guard let result = parse(Substring(text.uppercased().filter { $0 != " " })) else {
      throw .invalidArgument(
        "type '\(text)' of \(context) is not a Spark SQL type; use STRING, BOOLEAN, TINYINT,"
          + " SMALLINT, INT, BIGINT, FLOAT, DOUBLE, DECIMAL(p,s), DATE, TIMESTAMP, BINARY,"
          + " ARRAY<T> or MAP<K,V>")
    }
    return result
  }

  private static func parse(_ text: Substring) -> String? {
    if let simple = simpleTypes[String(text)] { return simple }
    if let inner = enclosed(text, "ARRAY<", ">") { return parse(inner).map { "ARRAY<\($0)>" } }
    if let inner = enclosed(text, "MAP<", ">") {
      guard let comma = topLevelComma(inner),
        let key = parse(inner[..<comma]), let value = parse(inner[inner.index(after: comma)...])
      else { return nil }
      return "MAP<\(key),\(value)>"
    }
    for prefix in ["DECIMAL(", "DEC(", "NUMERIC("] {
      guard let inner = enclosed(text, prefix, ")") else { continue }
      let numbers = inner.split(separator: ",", omittingEmptySubsequences: false).map { Int($0) }
      guard (1...2).contains(numbers.count), let precision = numbers[0],
        (1...38).contains(precision)
      else { return nil }
      let scale = numbers.count == 2 ? numbers[1] : 0
      guard let scale, scale >= 0, scale <= precision else { return nil }
      return "DECIMAL(\(precision),\(scale))"
    }
    for prefix in ["VARCHAR(", "CHAR("] {
      guard let inner = enclosed(text, prefix, ")") else { continue }
      guard let length = Int(inner), length > 0 else { return nil }
      return prefix.dropLast() + "(\(length))"
    }
    return nil
  }

  private static func enclosed(_ text: Substring, _ open: String, _ close: String) -> Substring? {
    guard text.hasPrefix(open), text.hasSuffix(close), text.count > open.count + close.count
    else { return nil }
    return text.dropFirst(open.count).dropLast(close.count)
  }

  private static func topLevelComma(_ text: Substring) -> Substring.Index? {
    var depth = 0
    for index in text.indices {
      switch text[index] {
      case "<", "(": depth += 1
      case ">", ")": depth -= 1
      case "," where depth == 0: return index
      default: break
      }
    }
    return nil
  }

  /// The SQLite affinity of a canonical type: INTEGER, REAL, TEXT or BLOB.
  public static func affinity(_ canonical: String) -> String {
    switch canonical {
    case "BOOLEAN", "TINYINT", "SMALLINT", "INT", "BIGINT": "INTEGER"
    case "FLOAT", "DOUBLE": "REAL"
    case "BINARY": "BLOB"
    case _ where canonical.hasPrefix("DECIMAL"): "REAL"
    default: "TEXT"
    }
  }
}
