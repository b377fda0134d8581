import EdgecatProto
import Testing

@Suite("Encoding and decoding round trips")
struct RoundTripTests {
  typealias Kinds = Edgecat_Testing_V1_FieldKinds

  @Test("every field kind survives a round trip")
  func everyFieldKind() throws {
    let original = FieldKindsSample.everyField()
    let decoded = try Kinds(serializedBytes: original.serializedBytes())
    #expect(decoded.doubleValue == original.doubleValue)
    #expect(decoded.stringValue == original.stringValue)
    #expect(decoded.nested == original.nested)
    #expect(decoded.repeatedColor == original.repeatedColor)
    #expect(decoded.repeatedNested == original.repeatedNested)
    #expect(decoded.stringToString == original.stringToString)
    #expect(decoded.uint64ToNested == original.uint64ToNested)
    #expect(decoded.boolToColor == original.boolToColor)
    #expect(decoded.choice == original.choice)
    #expect(decoded == original)
  }

  @Test("each oneof member survives a round trip, empty values included")
  func oneofMembers() throws {
    let choices: [Kinds.OneOf_Choice] = [
      .choiceText("text"), .choiceText(""), .choiceNumber(-1), .choiceNumber(0),
      .choiceNested(FieldKindsSample.nested("n")), .choiceNested(Kinds.Nested()),
      .choiceColor(.red), .choiceColor(.unspecified), .choiceColor(.unrecognized(-3)),
      .choiceBytes([9]), .choiceBytes([]),
    ]
    for choice in choices {
      var message = Kinds()
      message.choice = choice
      let bytes = message.serializedBytes()
      #expect(!bytes.isEmpty, "a set oneof member is encoded even at its default: \(choice)")
      #expect(try Kinds(serializedBytes: bytes).choice == choice)
    }
  }

  @Test("oneof accessors read and set the oneof")
  func oneofAccessors() {
    var message = Kinds()
    #expect(message.choiceText == "")
    message.choiceNumber = 5
    #expect(message.choice == .choiceNumber(5))
    #expect(message.choiceText == "")
    message.choiceText = "now text"
    #expect(message.choiceNumber == 0)
    #expect(message.choice == .choiceText("now text"))
  }

  @Test("default message encodes to no bytes")
  func defaultsEncodeEmpty() throws {
    #expect(Kinds().serializedBytes().isEmpty)
    #expect(try Kinds(serializedBytes: []) == Kinds())
  }

  @Test("message field presence survives when empty")
  func emptyNestedPresence() throws {
    var message = Kinds()
    message.nested = Kinds.Nested()
    let decoded = try Kinds(serializedBytes: message.serializedBytes())
    #expect(decoded.nested == Kinds.Nested())
  }

  @Test("maps encode in sorted key order")
  func mapOrderIsDeterministic() {
    var first = Kinds()
    var second = Kinds()
    for key in 0..<50 {
      first.stringToString["key\(key)"] = "\(key)"
      second.stringToString["key\(49 - key)"] = "\(49 - key)"
    }
    #expect(first.serializedBytes() == second.serializedBytes())
  }

  @Test("unrecognized enum numbers are kept")
  func unrecognizedEnum() throws {
    var response = Grpc_Health_V1_HealthCheckResponse()
    response.status = .unrecognized(42)
    let decoded = try Grpc_Health_V1_HealthCheckResponse(
      serializedBytes: response.serializedBytes())
    #expect(decoded.status == .unrecognized(42))
    #expect(decoded.status.rawValue == 42)
    #expect(Grpc_Health_V1_HealthCheckResponse.ServingStatus(rawValue: 2) == .notServing)
  }

  @Test("enum cases follow SwiftProtobuf naming")
  func enumCaseNames() {
    #expect(Edgecat_Policy_V1_SecurableType.registeredModel.rawValue == 7)
    #expect(Edgecat_Policy_V1_SecurableType() == .unspecified)
    #expect(Kinds.Color.allCases == [.unspecified, .red, .darkBlue])
  }

  @Test("reflection response with a oneof and repeated messages survives a round trip")
  func reflectionResponse() throws {
    var service = Grpc_Reflection_V1_ServiceResponse()
    service.name = "grpc.health.v1.Health"
    var list = Grpc_Reflection_V1_ListServiceResponse()
    list.service = [service, service]
    var response = Grpc_Reflection_V1_ServerReflectionResponse()
    response.validHost = "localhost"
    response.originalRequest = Grpc_Reflection_V1_ServerReflectionRequest()
    response.messageResponse = .listServicesResponse(list)
    let bytes = response.serializedBytes()
    #expect(try Grpc_Reflection_V1_ServerReflectionResponse(serializedBytes: bytes) == response)
  }

  @Test("large payloads survive a round trip")
  func largePayload() throws {
    var request = Edgecat_Testing_V1_EchoRequest()
    request.payload = (0..<100_000).map { UInt8(truncatingIfNeeded: $0) }
    request.text = String(repeating: "é", count: 5_000)
    let decoded = try Edgecat_Testing_V1_EchoRequest(serializedBytes: request.serializedBytes())
    #expect(decoded == request)
  }

  @Test("messages past the decode stack memory survive a round trip")
  func pastStackMemory() throws {
    // Decoding serves the first kilobyte of C allocations from the stack and the rest from the
    // heap. These sizes end before, near and well past that boundary.
    for count in [0, 1, 10, 25, 40, 100, 1_000] {
      var message = Kinds()
      message.repeatedString = (0..<count).map { "string \($0) of the message" }
      message.repeatedNested = (0..<count).map { FieldKindsSample.nested("n\($0)", [Int32($0)]) }
      message.stringToString = Dictionary(
        uniqueKeysWithValues: (0..<count).map { ("key \($0)", "value \($0)") })
      let decoded = try Kinds(serializedBytes: message.serializedBytes())
      #expect(decoded == message, "\(count) elements")
    }
  }
}
