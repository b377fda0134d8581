import Testing

@testable import EdgecatRPC

@Suite("Field syntax")
struct FieldSyntaxTests {
  @Test("word-wise scan matches byte scan")
  func scanMatchesBytes() {
    var generator = SystemRandomNumberGenerator()
    // Bytes near the three searched values, where a word-wise test would go wrong first.
    let alphabet: [UInt8] = [
      0x00, 0x01, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x20, 0x41, 0x7F, 0x80, 0xFF,
    ]
    for _ in 0..<5_000 {
      let count = Int.random(in: 0...40, using: &generator)
      let bytes = (0..<count).map { _ in alphabet.randomElement(using: &generator)! }
      let expected = bytes.contains { $0 == 0 || $0 == 0x0A || $0 == 0x0D }
      let found = bytes.withUnsafeBytes { FieldSyntax.containsNULOrLineBreak($0) }
      #expect(found == expected, "\(bytes)")
    }
  }

  @Test("printable value has no problem")
  func printableValue() {
    let value = Array("Bearer ect_0123456789abcdef\twith a tab".utf8)
    let name = Array("authorization".utf8)
    let problem = value.withUnsafeBufferPointer { value in
      name.withUnsafeBufferPointer { FieldSyntax.problem(name: $0, value: value) }
    }
    #expect(problem == nil)
  }
}
