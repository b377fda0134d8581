import Testing

@testable import EdgecatRPC

@Suite("grpc-timeout, grpc-message and base64")
struct WireFormatTests {
  @Test(
    "grpc-timeout units",
    arguments: [
      ("1H", UInt64(3_600_000_000_000)), ("2M", 120_000_000_000), ("3S", 3_000_000_000),
      ("4m", 4_000_000), ("5u", 5_000), ("6n", 6), ("99999999S", 99_999_999_000_000_000),
    ])
  func timeoutUnits(value: String, nanoseconds: UInt64) {
    #expect(GRPCTimeout.parse(value) == nanoseconds)
  }

  @Test("malformed grpc-timeout", arguments: ["", "S", "10", "1x", "-1S", "123456789S", "1.5S"])
  func malformedTimeout(value: String) {
    #expect(GRPCTimeout.parse(value) == nil)
  }

  @Test("timeout formatting rounds up and fits 8 digits")
  func timeoutFormatting() {
    #expect(GRPCTimeout.format(nanoseconds: 1) == "1n")
    #expect(GRPCTimeout.format(nanoseconds: 25_000_000) == "25000000n")
    #expect(GRPCTimeout.format(nanoseconds: 250_000_000) == "250000u")
    #expect(GRPCTimeout.format(nanoseconds: 1_000_000_001) == "1000001u")
    #expect(GRPCTimeout.format(nanoseconds: 3_600_000_000_000_000) == "3600000S")
  }

  @Test("grpc-message percent-encoding round trip")
  func percentEncoding() {
    let message = "naïve 100% sure\nnext line"
    let encoded = PercentEncoding.encode(message)
    #expect(encoded == "na%C3%AFve 100%25 sure%0Anext line")
    #expect(PercentEncoding.decode(encoded) == message)
  }

  @Test("malformed percent sequence is kept")
  func malformedPercent() {
    #expect(PercentEncoding.decode("50%zz done %4") == "50%zz done %4")
  }

  @Test("base64 with and without padding")
  func base64() {
    let bytes: [UInt8] = [0, 1, 2, 250, 251, 252, 253]
    let encoded = Base64.encode(bytes)
    #expect(encoded == "AAEC+vv8/Q==")
    #expect(Base64.decode(encoded) == bytes)
    #expect(Base64.decode("AAEC+vv8/Q") == bytes)
    #expect(Base64.decode("not base64!") == nil)
    // One character past a group of four encodes no byte.
    #expect(Base64.decode("A") == nil)
    #expect(Base64.decode("AAECA") == nil)
    #expect(Base64.decode("AA") == [0])
  }
}
