import EdgecatCrypto
import Testing

@Suite("SHA-256")
struct SHA256Tests {
  @Test("known vectors from FIPS 180-2", arguments: [
    ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
    ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
    (
      "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
    ),
  ])
  func knownVectors(input: String, expected: String) {
    #expect(Hex.encode(SHA256.hash(input)) == expected)
    #expect(SHA256.hexDigest(Array(input.utf8)) == expected)
  }

  @Test("one million 'a' bytes")
  func millionA() {
    let input = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
    let expected = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
    #expect(Hex.encode(SHA256.hash(input)) == expected)
  }

  @Test("incremental equals one-shot", arguments: [1, 7, 64, 1000, 4096])
  func incrementalEqualsOneShot(chunkSize: Int) {
    let input = (0..<10_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
    let hash = SHA256()
    var offset = 0
    while offset < input.count {
      let end = min(input.count, offset + chunkSize)
      hash.update(Array(input[offset..<end]))
      offset = end
    }
    #expect(hash.finalize() == SHA256.hash(input))
  }

  @Test("finalize resets to the empty message")
  func finalizeResets() {
    let hash = SHA256()
    hash.update("abc")
    #expect(hash.finalize().count == SHA256.digestByteCount)
    #expect(hash.finalize() == SHA256.hash([]))
    hash.update("abc")
    #expect(hash.finalize() == SHA256.hash("abc"))
  }

  @Test("hex encodes and decodes")
  func hexRoundTrip() {
    #expect(Hex.encode([0x00, 0x0f, 0xa5, 0xff]) == "000fa5ff")
    #expect(Hex.decode("000FA5ff") == [0x00, 0x0f, 0xa5, 0xff])
    #expect(Hex.decode("") == [])
    #expect(Hex.decode("abc") == nil)
    #expect(Hex.decode("zz") == nil)
  }
}
