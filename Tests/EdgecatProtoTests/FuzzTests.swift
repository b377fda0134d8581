import EdgecatProto
import Testing

/// SplitMix64, so that every run tries the same inputs and a failure can be replayed.
struct SplitMix64: RandomNumberGenerator {
  var state: UInt64

  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var mixed = state
    mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
    mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
    return mixed ^ (mixed >> 31)
  }
}

@Suite("Malformed input never crashes")
struct FuzzTests {
  /// Decodes `bytes` as every message type with nested fields. Either outcome is fine; the test
  /// fails only by crashing, or when a successful decode does not survive a round trip.
  func decodeAll(_ bytes: [UInt8]) {
    check(Edgecat_Testing_V1_FieldKinds.self, bytes)
    check(Grpc_Reflection_V1alpha_ServerReflectionResponse.self, bytes)
    check(Grpc_Reflection_V1_ServerReflectionRequest.self, bytes)
    check(Grpc_Health_V1_HealthListResponse.self, bytes)
    check(Edgecat_Policy_V1_AuthenticateResponse.self, bytes)
    check(Edgecat_Agent_V1_LogInferenceRequest.self, bytes)
  }

  func check<M: ProtoMessage>(_ type: M.Type, _ bytes: [UInt8]) {
    guard let message = try? M(serializedBytes: bytes) else {
      return
    }
    let again = try? M(serializedBytes: message.serializedBytes())
    #expect(again == message || hasNaN(message), "round trip of \(M.protoMessageName): \(bytes)")
  }

  /// Returns whether the message's encoding contains a NaN double, which is unequal to itself.
  func hasNaN<M: ProtoMessage>(_ message: M) -> Bool {
    "\(message)".contains("nan")
  }

  @Test("random bytes")
  func randomBytes() {
    var random = SplitMix64(state: 20_240_601)
    for _ in 0..<3_000 {
      let count = Int.random(in: 0...48, using: &random)
      decodeAll((0..<count).map { _ in UInt8.random(in: 0...255, using: &random) })
    }
  }

  @Test("random bytes after valid tags")
  func randomBytesAfterTags() {
    // Start with the tag of a length-delimited field so that decoding gets past the first byte.
    var random = SplitMix64(state: 7)
    let tags: [[UInt8]] = [
      [0x0A], [0x12], [0x8A, 0x01], [0xAA, 0x02], [0xCA, 0x02], [0xAA, 0x03],
    ]
    for _ in 0..<3_000 {
      let tag = tags[Int.random(in: 0..<tags.count, using: &random)]
      let count = Int.random(in: 0...32, using: &random)
      decodeAll(
        tag + [UInt8(count)] + (0..<count).map { _ in UInt8.random(in: 0...255, using: &random) })
    }
  }

  @Test("every truncation of valid messages")
  func truncations() {
    let valid = [
      FieldKindsFixture.bytes, PythonFixtureTests.reflectionResponse,
      PythonFixtureTests.healthList, FieldKindsSample.everyField().serializedBytes(),
    ]
    for bytes in valid {
      for end in 0..<bytes.count {
        decodeAll(Array(bytes[0..<end]))
      }
    }
  }

  @Test("single-byte mutations of valid messages")
  func mutations() {
    var random = SplitMix64(state: 99)
    let valid = [FieldKindsFixture.bytes, PythonFixtureTests.reflectionResponse]
    for bytes in valid {
      for index in bytes.indices {
        var mutated = bytes
        mutated[index] = UInt8.random(in: 0...255, using: &random)
        decodeAll(mutated)
      }
    }
  }
}
