import Glibc

/// The strings made from one connection's recent request headers. A client sends the same path,
/// token and user agent on call after call, so a header whose bytes equal a cached one reuses
/// its string in place of decoding and allocating a new one. Loop thread only.
struct HeaderStringCache {
  /// Distinct custom headers kept, because gRPC clients send a handful per call. With the path,
  /// a connection keeps at most 9 strings here, each within the header list limit (16 KiB by
  /// default).
  static let capacity = 8

  /// A header's strings and its kind, which is worked out once when the strings are made.
  struct Field {
    enum Kind {
      /// A header the transport sets or reads itself, never custom metadata.
      case reserved
      case text
      /// A `-bin` key, whose base64 value is decoded for every call.
      case binary
    }

    let name: String
    let value: String
    let kind: Kind
  }

  private var path = ""
  /// The previous call's `:authority` bytes, which passed the field checks.
  private var authority: [UInt8] = []
  private var fields: [Field] = []
  /// The slot the next new field replaces once the cache is full.
  private var nextSlot = 0
  /// The custom headers of the connection's previous call, in order, and the metadata made of
  /// them, which a call with the same custom headers reuses whole.
  private var previousFields: [Field] = []
  private var previousMetadata = Metadata()

  init() {
    fields.reserveCapacity(Self.capacity)
  }

  /// Returns the previous call's `:path` string when `value` has its bytes. Before the first
  /// call there is none, so an empty value is never matched.
  func previousPath(equalTo value: UnsafeBufferPointer<UInt8>) -> String? {
    !value.isEmpty && Self.equals(path, value) ? path : nil
  }

  /// Makes the `:path` string of `value` and keeps it for the next call.
  mutating func newPath(_ value: UnsafeBufferPointer<UInt8>) -> String {
    path = String(decoding: value, as: UTF8.self)
    return path
  }

  /// Returns whether `value` equals the previous call's `:authority`. Before the first call
  /// there is none, so an empty value is never matched.
  func isPreviousAuthority(_ value: UnsafeBufferPointer<UInt8>) -> Bool {
    guard value.count == authority.count, let base = value.baseAddress else { return false }
    return authority.withUnsafeBufferPointer { memcmp($0.baseAddress!, base, value.count) == 0 }
  }

  /// Keeps a checked `:authority` for the next call.
  mutating func keepAuthority(_ value: UnsafeBufferPointer<UInt8>) {
    authority.removeAll(keepingCapacity: true)
    authority.append(contentsOf: value)
  }

  /// Returns the cached field whose name and value are these bytes, if there is one.
  func cachedField(name: UnsafeBufferPointer<UInt8>, value: UnsafeBufferPointer<UInt8>) -> Field? {
    for field in fields where Self.equals(field.name, name) && Self.equals(field.value, value) {
      return field
    }
    return nil
  }

  /// Makes a field of a header's name and value and caches it, in place of the oldest field
  /// once the cache is full.
  mutating func addField(name: UnsafeBufferPointer<UInt8>, value: UnsafeBufferPointer<UInt8>)
    -> Field
  {
    let nameText = String(decoding: name, as: UTF8.self)
    let kind: Field.Kind =
      if Metadata.isReserved(nameText) {
        .reserved
      } else if nameText.hasSuffix("-bin") {
        .binary
      } else {
        .text
      }
    let field = Field(name: nameText, value: String(decoding: value, as: UTF8.self), kind: kind)
    if fields.count < Self.capacity {
      fields.append(field)
    } else {
      fields[nextSlot] = field
      nextSlot = (nextSlot + 1) % Self.capacity
    }
    return field
  }

  /// Returns the previous call's custom header at `position` when its bytes are `name` and
  /// `value`.
  func previousField(
    at position: Int, name: UnsafeBufferPointer<UInt8>, value: UnsafeBufferPointer<UInt8>
  ) -> Field? {
    guard position < previousFields.count else { return nil }
    let field = previousFields[position]
    return Self.equals(field.name, name) && Self.equals(field.value, value) ? field : nil
  }

  /// Returns the first `count` custom headers of the previous call.
  func previousFields(count: Int) -> ArraySlice<Field> {
    previousFields[..<min(count, previousFields.count)]
  }

  /// Returns the previous call's metadata when it had `count` custom headers.
  func previousMetadata(count: Int) -> Metadata? {
    count == previousFields.count ? previousMetadata : nil
  }

  /// Keeps a call's custom headers and their metadata for the next call.
  mutating func keepPrevious(fields: [Field], metadata: Metadata) {
    previousFields = fields
    previousMetadata = metadata
  }

  /// True when the UTF-8 of `text` is exactly `bytes`. A string decoded from invalid UTF-8
  /// contains replacement characters in place of the bad bytes, so it is never reused.
  private static func equals(_ text: String, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    let utf8 = text.utf8
    guard utf8.count == bytes.count else { return false }
    guard let base = bytes.baseAddress, !bytes.isEmpty else { return true }
    if let equal = utf8.withContiguousStorageIfAvailable({ stored in
      memcmp(stored.baseAddress!, base, bytes.count) == 0
    }) {
      return equal
    }
    return utf8.elementsEqual(bytes)
  }
}
