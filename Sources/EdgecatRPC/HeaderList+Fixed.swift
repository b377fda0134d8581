import CNGHTTP2

extension HeaderList {
  /// Returns an entry of static strings, which nghttp2 sends without copying them. nghttp2
  /// reads such bytes until the frame is sent, and static strings live as long as the process.
  static func fixed(_ name: StaticString, _ value: StaticString) -> nghttp2_nv {
    nghttp2_nv(
      name: UnsafeMutablePointer(mutating: name.utf8Start),
      value: UnsafeMutablePointer(mutating: value.utf8Start), namelen: name.utf8CodeUnitCount,
      valuelen: value.utf8CodeUnitCount,
      flags: UInt8(NGHTTP2_NV_FLAG_NO_COPY_NAME.rawValue | NGHTTP2_NV_FLAG_NO_COPY_VALUE.rawValue))
  }

  /// Calls `body` with the headers of a successful response: `:status 200`, the gRPC
  /// content type, `x-request-id` and the custom metadata. Without custom metadata, the entries
  /// are fixed ones and the request id's own bytes, which nghttp2 copies during the submit call.
  static func withOKHeaders<Result>(
    requestID: String, custom: Metadata, _ body: (UnsafePointer<nghttp2_nv>, Int) -> Result
  ) -> Result {
    guard custom.isEmpty else {
      let headers =
        [(":status", "200"), ("content-type", "application/grpc"), ("x-request-id", requestID)]
        + custom.wireHeaders()
      return withHeaders(headers, body)
    }
    var requestID = requestID
    return requestID.withUTF8 { id in
      withUnsafeTemporaryAllocation(of: nghttp2_nv.self, capacity: 3) { list in
        let name: StaticString = "x-request-id"
        // A value that differs on every call: an HPACK table entry for it would never be used
        // again and would push out entries that are.
        let requestIDEntry = nghttp2_nv(
          name: UnsafeMutablePointer(mutating: name.utf8Start),
          value: UnsafeMutablePointer(mutating: id.baseAddress ?? name.utf8Start),
          namelen: name.utf8CodeUnitCount, valuelen: id.count,
          flags: UInt8(NGHTTP2_NV_FLAG_NO_COPY_NAME.rawValue | NGHTTP2_NV_FLAG_NO_INDEX.rawValue))
        let start = list.baseAddress!
        start.initialize(to: fixed(":status", "200"))
        (start + 1).initialize(to: fixed("content-type", "application/grpc"))
        (start + 2).initialize(to: requestIDEntry)
        return body(start, 3)
      }
    }
  }

  /// Calls `body` with the trailers of a successful call: a fixed `grpc-status 0` and the
  /// custom trailers.
  static func withOKTrailers<Result>(
    custom: [(String, String)], _ body: (UnsafePointer<nghttp2_nv>, Int) -> Result
  ) -> Result {
    guard custom.isEmpty else { return withHeaders([("grpc-status", "0")] + custom, body) }
    var status = fixed("grpc-status", "0")
    return body(&status, 1)
  }
}
