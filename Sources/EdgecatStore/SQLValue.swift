/// A value bound to or read from SQLite, one case per SQLite storage class.
public enum SQLValue: Sendable, Hashable {
  case null
  case integer(Int64)
  case real(Double)
  case text(String)
  case blob([UInt8])

  /// Creates `.integer`, because SQLite stores integers as 64-bit signed values.
  public init(_ value: Int) { self = .integer(Int64(value)) }

  /// Creates `.integer(1)` for true and `.integer(0)` for false, as SQLite stores booleans.
  public init(_ value: Bool) { self = .integer(value ? 1 : 0) }

  public init(_ value: Double) { self = .real(value) }

  public init(_ value: String) { self = .text(value) }

  public init(_ value: [UInt8]) { self = .blob(value) }

  public init(_ value: Int64) { self = .integer(value) }

  /// Creates `.text`, or `.null` when `value` is nil.
  public init(_ value: String?) { self = value.map { .text($0) } ?? .null }

  /// Creates `.integer`, or `.null` when `value` is nil.
  public init(_ value: Int?) { self = value.map { .integer(Int64($0)) } ?? .null }

  /// Creates `.real`, or `.null` when `value` is nil.
  public init(_ value: Double?) { self = value.map { .real($0) } ?? .null }

  /// Creates `.blob`, or `.null` when `value` is nil.
  public init(_ value: [UInt8]?) { self = value.map { .blob($0) } ?? .null }

  public var isNull: Bool {
    if case .null = self { return true }
    return false
  }

  /// The integer of an `.integer` value; nil for every other case.
  public var int64: Int64? {
    if case .integer(let value) = self { return value }
    return nil
  }

  /// The integer of an `.integer` value as `Int`; nil for other cases.
  public var int: Int? { int64.map { Int($0) } }

  /// True for a non-zero `.integer`, false for zero; nil for other cases.
  public var bool: Bool? { int64.map { $0 != 0 } }

  /// The number of a `.real` value, or of an `.integer` converted; nil for other cases.
  public var double: Double? {
    switch self {
    case .real(let value): return value
    case .integer(let value): return Double(value)
    default: return nil
    }
  }

  /// The string of a `.text` value; nil for other cases.
  public var string: String? {
    if case .text(let value) = self { return value }
    return nil
  }

  /// The bytes of a `.blob` value; nil for other cases.
  public var bytes: [UInt8]? {
    if case .blob(let value) = self { return value }
    return nil
  }
}

extension SQLValue: ExpressibleByNilLiteral {
  public init(nilLiteral: ()) { self = .null }
}

extension SQLValue: ExpressibleByIntegerLiteral {
  public init(integerLiteral value: Int64) { self = .integer(value) }
}

extension SQLValue: ExpressibleByFloatLiteral {
  public init(floatLiteral value: Double) { self = .real(value) }
}

extension SQLValue: ExpressibleByStringLiteral {
  public init(stringLiteral value: String) { self = .text(value) }
}

extension SQLValue: ExpressibleByBooleanLiteral {
  public init(booleanLiteral value: Bool) { self.init(value) }
}

extension SQLValue: CustomStringConvertible {
  public var description: String {
    switch self {
    case .null: "NULL"
    case .integer(let value): String(value)
    case .real(let value): String(value)
    case .text(let value): "'\(value)'"
    case .blob(let value): "blob(\(value.count) bytes)"
    }
  }
}
