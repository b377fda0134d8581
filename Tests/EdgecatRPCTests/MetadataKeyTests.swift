import Testing

@testable import EdgecatRPC

@Suite("Metadata keys")
struct MetadataKeyTests {
  @Test("upper case found at every offset")
  func upperCaseAnyOffset() {
    for length in 1..<20 {
      for offset in 0..<length {
        for byte: UInt8 in [0x41, 0x4D, 0x5A, 0x80, 0xC3] {
          var key = [UInt8](repeating: UInt8(ascii: "x"), count: length)
          key[offset] = byte
          let found = key.withUnsafeBytes { Metadata.containsUppercaseOrNonASCII($0) }
          #expect(found, "\(byte) at \(offset) of \(length)")
        }
      }
    }
  }

  @Test("neighbours of the upper-case range pass")
  func lowerCaseAndNeighbours() {
    let allowed = "@[`{-_0129azAZ".utf8.filter { $0 < 0x41 || $0 > 0x5A }
    for length in 0..<20 {
      let key = (0..<length).map { allowed[$0 % allowed.count] }
      let found = key.withUnsafeBytes { Metadata.containsUppercaseOrNonASCII($0) }
      #expect(!found, "\(String(decoding: key, as: UTF8.self))")
    }
  }

  @Test("look-up ignores key case")
  func lookUpIgnoresCase() {
    var metadata = Metadata()
    metadata.add("X-Edgecat-Principal", "alice")
    metadata.add("authorization", "Bearer t")

    #expect(metadata["x-edgecat-principal"] == "alice")
    #expect(metadata["X-EDGECAT-PRINCIPAL"] == "alice")
    #expect(metadata["Authorization"] == "Bearer t")
    #expect(metadata["x-edgecat-principals"] == nil)
  }
}
