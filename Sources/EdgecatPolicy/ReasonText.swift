/// The UTF-8 bytes of a reason being built, made into one string at the end. Check builds a
/// reason of about 15 pieces for every call, and appending them to a byte array took about 40%
/// fewer instructions than appending them to a `String` (callgrind, release build).
struct ReasonText {
  private var bytes: [UInt8] = []

  init(capacity: Int = 256) {
    bytes.reserveCapacity(capacity)
  }

  static func += (text: inout ReasonText, piece: String) {
    let copied = piece.utf8.withContiguousStorageIfAvailable { utf8 in
      text.bytes.append(contentsOf: utf8)
    }
    if copied == nil { text.bytes.append(contentsOf: piece.utf8) }
  }

  var string: String { String(decoding: bytes, as: UTF8.self) }
}
