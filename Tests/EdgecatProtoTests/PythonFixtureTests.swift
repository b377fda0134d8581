import EdgecatProto
import Testing

/// Wire bytes that Python protobuf 7.36 (upb backend) produced once from the messages that each
/// comment describes, with the proto files of this repository. They are hardcoded so that the
/// tests need no Python.
@Suite("Decoding bytes from Python protobuf")
struct PythonFixtureTests {
  // EchoRequest(text="héllo wörld", payload=b"\x00\x01\xff", response_count=3, delay_ms=-1,
  // status_message="ok").SerializeToString()
  static let echoRequest: [UInt8] = [
    0x0a, 0x0d, 0x68, 0xc3, 0xa9, 0x6c, 0x6c, 0x6f, 0x20, 0x77, 0xc3, 0xb6, 0x72, 0x6c, 0x64, 0x12,
    0x03, 0x00, 0x01, 0xff, 0x18, 0x03, 0x20, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0x01, 0x32, 0x02, 0x6f, 0x6b,
  ]

  // HealthListResponse with statuses {"a": SERVING, "b": NOT_SERVING, "": UNKNOWN}, serialized
  // with deterministic=True. Python writes the empty key and empty value explicitly.
  static let healthList: [UInt8] = [
    0x0a, 0x07, 0x0a, 0x01, 0x61, 0x12, 0x02, 0x08, 0x01, 0x0a, 0x07, 0x0a, 0x01, 0x62, 0x12, 0x02,
    0x08, 0x02, 0x0a, 0x04, 0x0a, 0x00, 0x12, 0x00,
  ]

  // grpc.reflection.v1alpha.ServerReflectionResponse(valid_host="localhost",
  // original_request.list_services="*", list_services_response with services
  // "grpc.health.v1.Health" and "edgecat.testing.v1.EchoService").
  static let reflectionResponse: [UInt8] = [
    0x0a, 0x09, 0x6c, 0x6f, 0x63, 0x61, 0x6c, 0x68, 0x6f, 0x73, 0x74, 0x12, 0x03, 0x3a, 0x01, 0x2a,
    0x32, 0x3b, 0x0a, 0x17, 0x0a, 0x15, 0x67, 0x72, 0x70, 0x63, 0x2e, 0x68, 0x65, 0x61, 0x6c, 0x74,
    0x68, 0x2e, 0x76, 0x31, 0x2e, 0x48, 0x65, 0x61, 0x6c, 0x74, 0x68, 0x0a, 0x20, 0x0a, 0x1e, 0x65,
    0x64, 0x67, 0x65, 0x63, 0x61, 0x74, 0x2e, 0x74, 0x65, 0x73, 0x74, 0x69, 0x6e, 0x67, 0x2e, 0x76,
    0x31, 0x2e, 0x45, 0x63, 0x68, 0x6f, 0x53, 0x65, 0x72, 0x76, 0x69, 0x63, 0x65,
  ]

  // EchoRequest(text="hi"), then unknown fields 99 (varint 5), 100 (bytes "zz"), 101 (fixed32)
  // and 102 (fixed64), then EchoRequest(response_count=9). Python parses it to text="hi" and
  // response_count=9.
  static let unknownFields: [UInt8] = [
    0x0a, 0x02, 0x68, 0x69, 0x98, 0x06, 0x05, 0xa2, 0x06, 0x02, 0x7a, 0x7a, 0xad, 0x06, 0x01, 0x02,
    0x03, 0x04, 0xb1, 0x06, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x18, 0x09,
  ]

  @Test("echo request decodes and encodes to the same bytes")
  func echoRequest() throws {
    let request = try Edgecat_Testing_V1_EchoRequest(serializedBytes: Self.echoRequest)
    #expect(request.text == "héllo wörld")
    #expect(request.payload == [0x00, 0x01, 0xFF])
    #expect(request.responseCount == 3)
    #expect(request.delayMs == -1)
    #expect(request.statusCode == 0)
    #expect(request.statusMessage == "ok")
    #expect(request.serializedBytes() == Self.echoRequest)
  }

  @Test("health map decodes, explicit empty entries included")
  func healthList() throws {
    let response = try Grpc_Health_V1_HealthListResponse(serializedBytes: Self.healthList)
    #expect(response.statuses.count == 3)
    #expect(response.statuses["a"]?.status == .serving)
    #expect(response.statuses["b"]?.status == .notServing)
    #expect(response.statuses[""]?.status == .unknown)
  }

  @Test("reflection response decodes and encodes to the same bytes")
  func reflectionResponse() throws {
    typealias Response = Grpc_Reflection_V1alpha_ServerReflectionResponse
    let response = try Response(serializedBytes: Self.reflectionResponse)
    #expect(response.validHost == "localhost")
    #expect(response.originalRequest?.messageRequest == .listServices("*"))
    guard case .listServicesResponse(let list)? = response.messageResponse else {
      Issue.record(
        "expected list_services_response, got \(String(describing: response.messageResponse))")
      return
    }
    #expect(
      list.service.map(\.name) == ["grpc.health.v1.Health", "edgecat.testing.v1.EchoService"])
    #expect(response.serializedBytes() == Self.reflectionResponse)
  }

  @Test("unknown fields are skipped")
  func unknownFieldsSkipped() throws {
    let request = try Edgecat_Testing_V1_EchoRequest(serializedBytes: Self.unknownFields)
    #expect(request.text == "hi")
    #expect(request.responseCount == 9)
    #expect(request.serializedBytes() == [0x0a, 0x02, 0x68, 0x69, 0x18, 0x09])
  }

  @Test("every field kind decodes from Python")
  func fieldKinds() throws {
    let kinds = try Edgecat_Testing_V1_FieldKinds(serializedBytes: FieldKindsFixture.bytes)
    #expect(kinds.doubleValue == 1.5)
    #expect(kinds.floatValue == -2.25)
    #expect(kinds.int32Value == -7)
    #expect(kinds.int64Value == -9_000_000_000)
    #expect(kinds.uint32Value == 4_000_000_000)
    #expect(kinds.uint64Value == 18_000_000_000_000_000_000)
    #expect(kinds.sint32Value == -3)
    #expect(kinds.sint64Value == -4)
    #expect(kinds.fixed32Value == 5)
    #expect(kinds.fixed64Value == 6)
    #expect(kinds.sfixed32Value == -8)
    #expect(kinds.sfixed64Value == -9)
    #expect(kinds.boolValue)
    #expect(kinds.stringValue == "ünïcode")
    #expect(kinds.bytesValue == [0x00, 0xFE])
    #expect(kinds.color == .darkBlue)
    #expect(kinds.nested == FieldKindsSample.nested("in", [1, -2]))

    #expect(kinds.repeatedInt32 == [1, -1, 300])
    #expect(kinds.repeatedDouble == [0.5, -0.25])
    #expect(kinds.repeatedBool == [true, false, true])
    #expect(kinds.repeatedString == ["a", "", "b"])
    #expect(kinds.repeatedBytes == [[0x78], []])
    #expect(kinds.repeatedColor == [.red, .darkBlue, .unrecognized(7)])
    #expect(kinds.repeatedNested == [FieldKindsSample.nested("r1"), .init()])
    #expect(kinds.repeatedSint64 == [-1, 1])
    #expect(kinds.repeatedFixed32 == [1, 2])
    #expect(kinds.repeatedUint64 == [.max])

    #expect(kinds.stringToString == ["k": "v", "": "empty"])
    #expect(kinds.int32ToBytes == [-5: [0x01]])
    #expect(kinds.uint64ToNested == [7: FieldKindsSample.nested("seven")])
    #expect(kinds.boolToColor == [true: .red])
    #expect(kinds.sint64ToDouble == [-2: 2.5])

    #expect(kinds.choice == .choiceNested(FieldKindsSample.nested("chosen")))
  }
}
