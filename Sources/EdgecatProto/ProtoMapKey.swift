/// A Swift type of proto map keys, with the order that map entries are encoded in.
protocol ProtoMapKey: Hashable, Sendable {
  static func protoSortsBefore(_ lhs: Self, _ rhs: Self) -> Bool
}

extension String: ProtoMapKey {
  /// Orders by UTF-8 bytes, so the order does not depend on Unicode normalization.
  static func protoSortsBefore(_ lhs: String, _ rhs: String) -> Bool {
    lhs.utf8.lexicographicallyPrecedes(rhs.utf8)
  }
}

extension Bool: ProtoMapKey {
  static func protoSortsBefore(_ lhs: Bool, _ rhs: Bool) -> Bool {
    !lhs && rhs
  }
}

extension Int32: ProtoMapKey {
  static func protoSortsBefore(_ lhs: Int32, _ rhs: Int32) -> Bool { lhs < rhs }
}

extension Int64: ProtoMapKey {
  static func protoSortsBefore(_ lhs: Int64, _ rhs: Int64) -> Bool { lhs < rhs }
}

extension UInt32: ProtoMapKey {
  static func protoSortsBefore(_ lhs: UInt32, _ rhs: UInt32) -> Bool { lhs < rhs }
}

extension UInt64: ProtoMapKey {
  static func protoSortsBefore(_ lhs: UInt64, _ rhs: UInt64) -> Bool { lhs < rhs }
}
