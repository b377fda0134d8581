import EdgecatCrypto
import Testing

@Suite("Secure random")
struct SecureRandomTests {
  @Test("bytes have the requested count")
  func byteCounts() throws {
    #expect(try SecureRandom.bytes(count: 0).isEmpty)
    #expect(try SecureRandom.bytes(count: 1).count == 1)
    #expect(try SecureRandom.bytes(count: 100_000).count == 100_000)
    // Two 32-byte draws collide with probability 2^-256.
    #expect(try SecureRandom.bytes(count: 32) != SecureRandom.bytes(count: 32))
  }

  @Test("token is unpadded base64url")
  func tokenAlphabet() throws {
    let token = try SecureRandom.token()
    #expect(token.count == 43)
    let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    #expect(token.allSatisfy { allowed.contains($0) })
    #expect(try SecureRandom.token(byteCount: 16).count == 22)
    #expect(try SecureRandom.token() != token)
  }

  @Test("base64url matches RFC 4648 vectors", arguments: [
    ("", ""), ("f", "Zg"), ("fo", "Zm8"), ("foo", "Zm9v"), ("foob", "Zm9vYg"),
    ("fooba", "Zm9vYmE"), ("foobar", "Zm9vYmFy"),
  ])
  func base64URLVectors(input: String, expected: String) {
    #expect(SecureRandom.base64URL(Array(input.utf8)) == expected)
  }

  @Test("base64url uses the URL-safe digits")
  func urlSafeDigits() {
    #expect(SecureRandom.base64URL([0xfb, 0xff]) == "-_8")
  }
}
