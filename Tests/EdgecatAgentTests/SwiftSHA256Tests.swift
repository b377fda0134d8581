import EdgecatAgent
import EdgecatCrypto
import Testing

@Suite("Swift SHA-256")
struct SwiftSHA256Tests {
  static func digest(_ bytes: [UInt8], pieces: Int = 1) -> String {
    var hash = SwiftSHA256()
    let size = max(1, bytes.count / pieces)
    var start = 0
    while start < bytes.count {
      hash.update(Array(bytes[start..<min(bytes.count, start + size)]))
      start += size
    }
    return Hex.encode(hash.finalize())
  }

  @Test("known digests")
  func knownDigests() {
    #expect(
      Self.digest([])
        == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    #expect(
      Self.digest(Array("abc".utf8))
        == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
  }

  @Test("matches libcrypto at every padding length", arguments: [55, 56, 63, 64, 65, 1000, 70_001])
  func matchesLibcrypto(count: Int) {
    let bytes = (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
    #expect(Self.digest(bytes) == SHA256.hexDigest(bytes))
    #expect(Self.digest(bytes, pieces: 7) == SHA256.hexDigest(bytes))
  }
}
