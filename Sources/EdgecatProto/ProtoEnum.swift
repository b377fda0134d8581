/// A proto3 enum, generated as a Swift enum with one case per value and `unrecognized` for others.
///
/// proto3 enums are open: a decoded number that the proto file does not define becomes
/// `.unrecognized(number)` and encodes back to the same number.
public protocol ProtoEnum: Sendable, Hashable, CaseIterable {
  /// Creates the enum's default, the value numbered 0.
  init()

  /// Creates the case numbered `rawValue`, or `.unrecognized(rawValue)` when none is.
  init(rawValue: Int32)

  /// Number of the value on the wire.
  var rawValue: Int32 { get }
}
