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
  /// The reason the request is malformed under RFC 9113 section 8, or nil.
  var malformation: String?
  var pseudoFields: PseudoFields = []
  var sawRegularField = false
  /// The `content-length` the client sent, which the request's DATA must add up to.
  var contentLength: Int?

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
    guard malformation == nil else { return }
    if name.first == UInt8(ascii: ":") {
      addPseudo(name: name, value: value, strings: &strings)
      return
    }
    sawRegularField = true
    // The values of the fields below are parsed exactly or compared whole, so a value that
    // breaks the field syntax fails there. Only values quoted in errors or ignored are checked.
    if Self.equals(name, "content-type") {
      contentTypeIsGRPC = Self.isGRPCContentType(value)
      if !contentTypeIsGRPC {
        if let problem = FieldSyntax.valueProblem(value, field: name) { return malformed(problem) }
        contentType = String(decoding: value, as: UTF8.self)
      }
      return
    }
    if Self.equals(name, "te") {
      // A te value is compared without regard to case, as HTTP compares its tokens.
      if !Self.equals(value, "trailers") && !Self.equalsIgnoringCase(value, "trailers") {
        malformed("te \(FieldSyntax.quoted(value)) is not allowed in HTTP/2; send te: trailers")
      }
      return
    }
    if Self.equals(name, "grpc-accept-encoding") {
      if let problem = FieldSyntax.valueProblem(value, field: name) { malformed(problem) }
      return
    }
    if Self.equals(name, "grpc-timeout") {
      timeout = String(decoding: value, as: UTF8.self)
      return
    }
    if Self.equals(name, "grpc-encoding") {
      if !Self.equals(value, "identity"),
        let problem = FieldSyntax.valueProblem(value, field: name)
      {
        return malformed(problem)
      }
      encoding = String(decoding: value, as: UTF8.self)
      return
    }
    // Reserved like the names above, and its value changes with the message size, so it is
    // parsed here before any string is made.
    if Self.equals(name, "content-length") {
      addContentLength(value)
      return
    }
    addCustom(name: name, value: value, strings: &strings)
  }

  /// Records the declared body length, or why it is malformed: it must be one decimal number.
  private mutating func addContentLength(_ value: UnsafeBufferPointer<UInt8>) {
    guard contentLength == nil else {
      return malformed("the request repeats content-length; send it once or not at all")
    }
    var length = 0
    for byte in value {
      guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"), length < Int.max / 10 - 9
      else {
        return malformed(
          "content-length \(FieldSyntax.quoted(value)) is not a byte count; send digits only")
      }
      length = length * 10 + Int(byte - UInt8(ascii: "0"))
    }
    guard !value.isEmpty else {
      return malformed("content-length is empty; send the body's byte count or leave it out")
    }
    contentLength = length
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

  /// Returns whether `bytes` spell the lower-case ASCII `text` in any letter case.
  static func equalsIgnoringCase(_ bytes: UnsafeBufferPointer<UInt8>, _ text: StaticString)
    -> Bool
  {
    guard bytes.count == text.utf8CodeUnitCount else { return false }
    for index in 0..<bytes.count where lower(bytes[index]) != text.utf8Start[index] {
      return false
    }
    return true
  }

  static func equals(_ bytes: UnsafeBufferPointer<UInt8>, _ text: StaticString) -> Bool {
    guard bytes.count == text.utf8CodeUnitCount else { return false }
    guard let base = bytes.baseAddress else { return bytes.count == 0 }
    return memcmp(base, text.utf8Start, bytes.count) == 0
  }
}
