import CNGHTTP2

/// Builds an `nghttp2_nv` array for one submit call. nghttp2 copies names and values during
/// `nghttp2_submit_*`, so the storage only has to live for the closure.
enum HeaderList {
  static func withHeaders<Result>(
    _ headers: [(String, String)], _ body: (UnsafePointer<nghttp2_nv>, Int) -> Result
  ) -> Result {
    var storage = [UInt8]()
    var spans: [(nameStart: Int, nameLength: Int, valueStart: Int, valueLength: Int)] = []
    spans.reserveCapacity(headers.count)
    for (name, value) in headers {
      let nameStart = storage.count
      storage.append(contentsOf: name.utf8)
      let valueStart = storage.count
      storage.append(contentsOf: value.utf8)
      spans.append((nameStart, valueStart - nameStart, valueStart, storage.count - valueStart))
    }
    storage.append(0)
    return storage.withUnsafeMutableBufferPointer { bytes in
      let base = bytes.baseAddress!
      var list = spans.map { span in
        nghttp2_nv(
          name: base + span.nameStart, value: base + span.valueStart,
          namelen: span.nameLength, valuelen: span.valueLength,
          flags: UInt8(NGHTTP2_NV_FLAG_NONE.rawValue))
      }
      return list.withUnsafeMutableBufferPointer { body($0.baseAddress!, $0.count) }
    }
  }
}
