import Glibc

/// The request headers of one server call, parsed as nghttp2 delivers them. Known headers are
/// matched on their bytes, so only the path and custom metadata become Swift strings.
struct RequestHead {
  var method = ""
  var path = ""
  var contentType = ""
  var contentTypeIsGRPC = false
  var timeout: String?
  /// The `grpc-encoding` the client compresses its messages with, when it sent one.
  var encoding: String?
  var requestID: String?
  var metadata = Metadata()
  /// A `-bin` key whose value was not valid base64.
  var badMetadata: String?
  /// Bytes of the header list as RFC 7540 section 6.5.2 counts them: 32 per field plus its name
  /// and value.
  var listSize = 0
  var listTooLarge = false
  /// Custom headers received so far. While they equal the previous call's, in order, no
  /// metadata is built, because `finishMetadata` then reuses the previous call's.
  var customCount = 0
  var matchesPrevious = true
  /// This call's custom headers, collected once they differ from the previous call's.
  var customFields: [HeaderStringCache.Field] = []

  /// Records one header. `strings` supplies the path and custom metadata as strings, reused
  /// from the connection's earlier calls when their bytes are equal.
  mutating func add(
    name: UnsafeBufferPointer<UInt8>, value: UnsafeBufferPointer<UInt8>, limit: Int,
    strings: inout HeaderStringCache
  ) {
    listSize += name.count + value.count + 32
    if listSize > limit {
      listTooLarge = true
      return
    }
    if name.first == UInt8(ascii: ":") {
      if Self.equals(name, ":path") {
        path = strings.path(value)
      } else if Self.equals(name, ":method") {
        method = String(decoding: value, as: UTF8.self)
      }
      return
    }
    if Self.equals(name, "content-type") {
      contentTypeIsGRPC = Self.isGRPCContentType(value)
      if !contentTypeIsGRPC { contentType = String(decoding: value, as: UTF8.self) }
      return
    }
    if Self.equals(name, "te") || Self.equals(name, "grpc-accept-encoding") { return }
    if Self.equals(name, "grpc-timeout") {
      timeout = String(decoding: value, as: UTF8.self)
      return
    }
    if Self.equals(name, "grpc-encoding") {
      encoding = String(decoding: value, as: UTF8.self)
      return
    }
    // Reserved like the names above, and its value changes with the message size, so it is
    // dropped before any string is made.
    if Self.equals(name, "content-length") { return }
    addCustom(name: name, value: value, strings: &strings)
  }

  /// Accepts `application/grpc` and `application/grpc+proto`, with or without parameters after
  /// `;`, in any letter case.
  static func isGRPCContentType(_ value: UnsafeBufferPointer<UInt8>) -> Bool {
    // The exact spelling that gRPC clients send, compared at once before the general parse.
    if equals(value, "application/grpc") { return true }
    var end = value.count
    if let semicolon = value.firstIndex(of: UInt8(ascii: ";")) { end = semicolon }
    while end > 0 && value[end - 1] == UInt8(ascii: " ") { end -= 1 }
    let base = "application/grpc".utf8
    guard end >= base.count else { return false }
    for (index, expected) in base.enumerated() where lower(value[index]) != expected {
      return false
    }
    if end == base.count { return true }
    let suffix = "+proto".utf8
    guard end == base.count + suffix.count else { return false }
    for (offset, expected) in suffix.enumerated()
    where lower(value[base.count + offset]) != expected {
      return false
    }
    return true
  }

  private static func lower(_ byte: UInt8) -> UInt8 {
    byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte
  }

  static func equals(_ bytes: UnsafeBufferPointer<UInt8>, _ text: StaticString) -> Bool {
    guard bytes.count == text.utf8CodeUnitCount else { return false }
    guard let base = bytes.baseAddress else { return bytes.count == 0 }
    return memcmp(base, text.utf8Start, bytes.count) == 0
  }
}
