import EdgecatProto
import Testing

@Suite("Rejecting invalid wire data")
struct DecodingErrorTests {
  typealias Echo = Edgecat_Testing_V1_EchoRequest

  /// Returns the error message of decoding `bytes` as `M`, or nil when decoding succeeds.
  func decodingError<M: ProtoMessage>(_ type: M.Type, _ bytes: [UInt8]) -> String? {
    do {
      _ = try M(serializedBytes: bytes)
      return nil
    } catch {
      return error.message
    }
  }

  @Test("invalid UTF-8 is rejected naming the field")
  func invalidUTF8() {
    let cases: [[UInt8]] = [
      [0xFF], [0xC0, 0x80], [0xE0, 0x80, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80],
      [0x61, 0xC3], [0xE2, 0x82],
    ]
    for text in cases {
      let bytes: [UInt8] = [0x0A, UInt8(text.count)] + text
      #expect(
        decodingError(Echo.self, bytes)
          == "field \"text\" of edgecat.testing.v1.EchoRequest is not valid UTF-8", "\(text)")
    }
  }

  @Test("bad byte at any offset of a long string is rejected")
  func badByteInLongString() {
    // ASCII is checked eight bytes at a time, so a bad byte must be found in any position of
    // a word and in the bytes after the last whole word.
    let invalid = "field \"text\" of edgecat.testing.v1.EchoRequest is not valid UTF-8"
    let nul =
      "field \"text\" of edgecat.testing.v1.EchoRequest contains a NUL byte,"
      + " which protobuf-c strings cannot hold"
    for offset in 0..<21 {
      for (bad, expected) in [(UInt8(0xFF), invalid), (0x80, invalid), (0x00, nul)] {
        var text = [UInt8](repeating: 0x61, count: 21)
        text[offset] = bad
        #expect(decodingError(Echo.self, [0x0A, 21] + text) == expected, "\(bad) at \(offset)")
      }
    }
  }

  @Test("long valid strings decode")
  func longValidStrings() throws {
    for text in ["abcdefghijklmnopq", "abcdefgh\u{e9}ijklmnop", "\u{1F600}abcdefghijklmnop\u{7F}"] {
      let bytes = [0x0A, UInt8(text.utf8.count)] + Array(text.utf8)
      #expect(try Echo(serializedBytes: bytes).text == text)
    }
  }

  @Test("embedded NUL is rejected naming the field")
  func embeddedNUL() {
    let bytes: [UInt8] = [0x32, 0x03, 0x61, 0x00, 0x62]
    #expect(
      decodingError(Echo.self, bytes)
        == "field \"status_message\" of edgecat.testing.v1.EchoRequest contains a NUL byte,"
        + " which protobuf-c strings cannot hold")
  }

  @Test("NUL in bytes fields is accepted")
  func nulInBytes() throws {
    let request = try Echo(serializedBytes: [0x12, 0x02, 0x00, 0x00])
    #expect(request.payload == [0, 0])
  }

  @Test("bad string in a nested message is rejected with its path")
  func nestedBadString() {
    // ListServiceResponse { service: [ServiceResponse { name: "\xFF" }] }
    let bytes: [UInt8] = [0x0A, 0x03, 0x0A, 0x01, 0xFF]
    #expect(
      decodingError(Grpc_Reflection_V1_ListServiceResponse.self, bytes)
        == "field \"service.name\" of grpc.reflection.v1.ListServiceResponse is not valid UTF-8")
  }

  @Test("bad string in a oneof inside a nested message is rejected")
  func nestedOneofBadString() {
    // ServerReflectionResponse { original_request: { list_services: "a\0" } }
    let bytes: [UInt8] = [0x12, 0x04, 0x3A, 0x02, 0x61, 0x00]
    #expect(
      decodingError(Grpc_Reflection_V1alpha_ServerReflectionResponse.self, bytes)
        == "field \"original_request.list_services\" of"
        + " grpc.reflection.v1alpha.ServerReflectionResponse contains a NUL byte,"
        + " which protobuf-c strings cannot hold")
  }

  @Test("bad map key is rejected with its path")
  func badMapKey() {
    // AuthenticateResponse { attributes: { "\xC3": "" } }
    let bytes: [UInt8] = [0x1A, 0x03, 0x0A, 0x01, 0xC3]
    #expect(
      decodingError(Edgecat_Policy_V1_AuthenticateResponse.self, bytes)
        == "field \"attributes.key\" of edgecat.policy.v1.AuthenticateResponse is not valid UTF-8")
  }

  @Test("truncated and malformed input is rejected with a reason")
  func malformedInput() {
    let cases: [([UInt8], String)] = [
      ([0x0A, 0x05, 0x61], "the length-delimited value at byte 1 runs past the end of the input"),
      ([0x18], "the varint at byte 1 runs past the end of the input"),
      ([0x18, 0x80], "the varint at byte 1 runs past the end of the input"),
      ([0x80], "the field tag at byte 0 runs past the end of the input"),
      ([0x00, 0x01], "field number 0 at byte 0 is out of range"),
      ([0x0B], "wire type 3 at byte 0 is a group, which protobuf-c does not support"),
      ([0x0E], "wire type 6 at byte 0 is not valid"),
      ([0x19, 0x01, 0x02], "the 8-byte value at byte 1 runs past the end of the input"),
      (
        [0x18] + [UInt8](repeating: 0xFF, count: 11), "the varint at byte 1 is longer than 10 bytes"
      ),
    ]
    for (bytes, reason) in cases {
      #expect(
        decodingError(Echo.self, bytes) == "invalid edgecat.testing.v1.EchoRequest: \(reason)",
        "\(bytes)")
    }
  }

  @Test("field with the wrong wire type is rejected by protobuf-c")
  func wrongWireType() {
    // Field 1 (text) sent as a varint.
    let message = decodingError(Echo.self, [0x08, 0x01])
    #expect(
      message?.hasPrefix("invalid edgecat.testing.v1.EchoRequest: protobuf-c could not") == true)
  }

  @Test("nested truncation names the enclosing field")
  func nestedTruncation() {
    // FieldKinds { nested (17): { label: length 9 but 1 byte } }
    let bytes: [UInt8] = [0x8A, 0x01, 0x03, 0x0A, 0x09, 0x61]
    #expect(
      decodingError(Edgecat_Testing_V1_FieldKinds.self, bytes)
        == "invalid edgecat.testing.v1.FieldKinds in field \"nested\": the length-delimited value"
        + " at byte 4 runs past the end of the input")
  }

  @Test("error description is the message")
  func errorDescription() {
    let error = ProtoDecodingError(message: "some failure")
    #expect(error.description == "some failure")
  }
}
