import CNGHTTP2

/// Builds an `nghttp2_nv` array for one submit call. nghttp2 copies names and values during
/// `nghttp2_submit_*`, so the storage only has to live for the closure.
enum HeaderList {
  /// Calls `body` with the headers as `nghttp2_nv` entries. The names, values and entries live in
  /// temporary allocations, which the standard library places on the stack when they are small,
  /// so a response's few headers usually cost no heap allocation.
  static func withHeaders<Result>(
    _ headers: [(String, String)], _ body: (UnsafePointer<nghttp2_nv>, Int) -> Result
  ) -> Result {
    var byteCount = 1
    for (name, value) in headers { byteCount += name.utf8.count + value.utf8.count }
    return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: byteCount) { storage in
      withUnsafeTemporaryAllocation(of: nghttp2_nv.self, capacity: max(1, headers.count)) { list in
        var offset = 0
        for (index, (name, value)) in headers.enumerated() {
          let nameStart = offset
          offset = copy(name, into: storage, at: offset)
          let valueStart = offset
          offset = copy(value, into: storage, at: offset)
          (list.baseAddress! + index).initialize(
            to: nghttp2_nv(
              name: storage.baseAddress! + nameStart, value: storage.baseAddress! + valueStart,
              namelen: valueStart - nameStart, valuelen: offset - valueStart,
              flags: flags(name)))
        }
        storage[offset] = 0
        return body(list.baseAddress!, headers.count)
      }
    }
  }

  /// Returns NGHTTP2_NV_FLAG_NO_INDEX for `x-request-id`, whose value differs on every call, so an
  /// HPACK table entry for it would never be used again and would push out entries that are.
  private static func flags(_ name: String) -> UInt8 {
    let unique = name.utf8.count == 12 && name == "x-request-id"
    return UInt8(unique ? NGHTTP2_NV_FLAG_NO_INDEX.rawValue : NGHTTP2_NV_FLAG_NONE.rawValue)
  }

  /// Copies the UTF-8 bytes of `text` to `storage` at `offset` and returns the offset after them.
  private static func copy(
    _ text: String, into storage: UnsafeMutableBufferPointer<UInt8>, at offset: Int
  ) -> Int {
    let (_, count) = UnsafeMutableBufferPointer(rebasing: storage[offset...])
      .initialize(from: text.utf8)
    return offset + count
  }
}
