/// Custom metadata of a call: an ordered list of lower-case keys and their values. Keys ending in
/// `-bin` carry bytes, which travel base64-encoded; all other values are printable ASCII text.
public struct Metadata: Sendable, Sequence {
  public enum Value: Sendable, Equatable {
    case string(String)
    case binary([UInt8])
  }

  public private(set) var entries: [(key: String, value: Value)] = []

  public init() {}

  /// Creates metadata from text key-value pairs, in order.
  public init(_ pairs: [(String, String)]) {
    for (key, value) in pairs { add(key, value) }
  }

  public var isEmpty: Bool { entries.isEmpty }

  /// Appends a text value. The key is lower-cased, as HTTP/2 requires.
  public mutating func add(_ key: String, _ value: String) {
    entries.append((Self.lowercased(key), .string(value)))
  }

  /// Appends a binary value; `key` must end in `-bin`.
  public mutating func add(_ key: String, binary value: [UInt8]) {
    precondition(key.hasSuffix("-bin"), "binary metadata keys end in -bin: \(key)")
    entries.append((Self.lowercased(key), .binary(value)))
  }

  /// Replaces every value of `key` with one text value.
  public mutating func replace(_ key: String, _ value: String) {
    remove(key)
    add(key, value)
  }

  public mutating func remove(_ key: String) {
    let lowered = Self.lowercased(key)
    entries.removeAll { $0.key == lowered }
  }

  /// Returns the first text value of `key`.
  public subscript(key: String) -> String? {
    let lowered = Self.lowercased(key)
    let length = lowered.utf8.count
    // Comparing the stored lengths first skips most keys without reading their bytes.
    for entry in entries where entry.key.utf8.count == length && entry.key == lowered {
      if case .string(let value) = entry.value { return value }
    }
    return nil
  }

  /// Returns the first binary value of a `-bin` key.
  public func binary(_ key: String) -> [UInt8]? {
    let lowered = Self.lowercased(key)
    for entry in entries where entry.key == lowered {
      if case .binary(let value) = entry.value { return value }
    }
    return nil
  }

  public func makeIterator() -> IndexingIterator<[(key: String, value: Value)]> {
    entries.makeIterator()
  }

  /// Returns `key` itself when it is lower-case ASCII already, as keys almost always are, so
  /// that a look-up copies no key longer than a small string.
  private static func lowercased(_ key: String) -> String {
    let isLowercaseASCII = key.utf8.withContiguousStorageIfAvailable { bytes in
      !containsUppercaseOrNonASCII(UnsafeRawBufferPointer(bytes))
    }
    return isLowercaseASCII == true ? key : key.lowercased()
  }

  /// Returns whether `bytes` has a byte from `A` to `Z` or above 0x7F, testing eight bytes at a
  /// time: every look-up of a key runs it.
  static func containsUppercaseOrNonASCII(_ bytes: UnsafeRawBufferPointer) -> Bool {
    let highBits: UInt64 = 0x8080_8080_8080_8080
    var index = 0
    while bytes.count - index >= 8 {
      let word = bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)
      if word & highBits != 0 { return true }
      // With every byte below 0x80, adding 0x3F sets a byte's high bit from `A` (0x41) up and
      // adding 0x25 from `[` (0x5B) up, without carrying into the next byte.
      let fromA = word &+ 0x3F3F_3F3F_3F3F_3F3F
      let pastZ = word &+ 0x2525_2525_2525_2525
      if fromA & ~pastZ & highBits != 0 { return true }
      index += 8
    }
    for byte in bytes[index...] where byte >= 0x80 || (byte >= 0x41 && byte <= 0x5A) {
      return true
    }
    return false
  }
}

extension Metadata {
  /// Keys the transport sets or reads itself; they never appear among a call's custom metadata.
  static func isReserved(_ key: String) -> Bool {
    if key.hasPrefix(":") { return true }
    switch key {
    case "content-type", "te", "grpc-timeout", "grpc-encoding", "grpc-accept-encoding",
      "grpc-status", "grpc-message", "content-length", "connection", "host":
      return true
    default:
      return false
    }
  }

  /// Adds a text header as received on the wire. `name` is lower-case and does not end in
  /// `-bin`.
  mutating func addWireText(name: String, value: String) {
    // Calls carry a few custom headers, so one allocation up front saves regrowing the array.
    if entries.isEmpty { entries.reserveCapacity(4) }
    entries.append((name, .string(value)))
  }

  /// Adds a header as received on the wire, decoding base64 for `-bin` keys. Returns false when
  /// a `-bin` value is not valid base64.
  mutating func addWireHeader(name: String, value: String) -> Bool {
    guard name.hasSuffix("-bin") else {
      entries.append((name, .string(value)))
      return true
    }
    // A peer may send several binary values joined by commas.
    for part in value.split(separator: ",", omittingEmptySubsequences: false) {
      let trimmed = part.trimmingSpaces()
      guard let bytes = Base64.decode(trimmed) else { return false }
      entries.append((name, .binary(bytes)))
    }
    return true
  }

  /// Returns the entries as HTTP/2 header fields, with base64 for binary values.
  func wireHeaders() -> [(String, String)] {
    entries.map { entry in
      switch entry.value {
      case .string(let value): (entry.key, value)
      case .binary(let bytes): (entry.key, Base64.encode(bytes))
      }
    }
  }
}

extension Substring {
  fileprivate func trimmingSpaces() -> String {
    var view = self[...]
    while view.first == " " { view = view.dropFirst() }
    while view.last == " " { view = view.dropLast() }
    return String(view)
  }
}
