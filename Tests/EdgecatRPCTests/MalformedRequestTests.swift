import Testing

@testable import EdgecatRPC

@Suite("Malformed HTTP/2 requests")
struct MalformedRequestTests {
  /// One gRPC message "hi" in its length-prefixed frame.
  static let message: [UInt8] = [0, 0, 0, 0, 2] + Array("hi".utf8)
  static let echo = "/test.Raw/Echo"
  /// A unary method whose handler runs only once the request has ended, so no response has
  /// started when the server finds a malformed body or trailers, and the reply is always 400.
  static let syncEcho = "/test.Raw/SyncEcho"

  /// Returns a valid request's fields with `change` applied.
  static func fields(_ change: (inout [(String, String)]) -> Void) -> [(String, String)] {
    var fields = RawHTTP2Client.grpcFields(path: echo)
    change(&fields)
    return fields
  }

  /// Sends each request in turn on one new connection to a test server.
  func send(_ requests: [(fields: [(String, String)], body: [UInt8])]) async throws
    -> [RawHTTP2Client.Reply]
  {
    var replies: [RawHTTP2Client.Reply] = []
    try await withTestServer { _, _, endpoint in
      let client = try RawHTTP2Client(port: UInt16(endpoint.port))
      for request in requests {
        replies.append(try client.send(request.fields, body: request.body))
      }
    }
    return replies
  }

  static let malformed: [(name: String, fields: [(String, String)], problem: String)] = [
    ("upper-case name", fields { $0.append(("X-Upper", "1")) }, "has upper-case letters"),
    ("space in name", fields { $0.append(("x a", "1")) }, "has the byte 0x20"),
    ("colon in name", fields { $0.append(("x:a", "1")) }, "has the byte 0x3A"),
    ("slash in name", fields { $0.append(("x/a", "1")) }, "has the byte 0x2F"),
    ("brace in name", fields { $0.append(("x{a", "1")) }, "has the byte 0x7B"),
    ("leading space", fields { $0.append(("x-a", " 1")) }, "starts or ends with white space"),
    ("trailing tab", fields { $0.append(("x-a", "1\t")) }, "starts or ends with white space"),
    ("line feed", fields { $0.append(("x-a", "1\n2")) }, "contains NUL, CR or LF"),
    ("NUL in long value", fields { $0.append(("x-a", "abcdefghij\0k")) }, "contains NUL"),
    ("connection header", fields { $0.append(("connection", "close")) }, "HTTP/1.1"),
    ("upgrade header", fields { $0.append(("upgrade", "h2c")) }, "HTTP/1.1"),
    ("te other than trailers", fields { $0[5].1 = "gzip" }, "te \"gzip\" is not allowed"),
    ("repeated path", fields { $0.insert((":path", echo), at: 3) }, "repeats \":path\""),
    ("unknown pseudo field", fields { $0.insert((":status", "200"), at: 0) }, "not a request"),
    (
      "pseudo after regular", fields { $0.append((":authority", "x")) },
      "follows a regular field"
    ),
    ("missing scheme", fields { $0.remove(at: 1) }, "no :scheme"),
    ("missing method", fields { $0.remove(at: 0) }, "no :method"),
    ("path without slash", fields { $0[2].1 = "test.Raw/Echo" }, "does not start with /"),
    ("empty path", fields { $0[2].1 = "" }, "does not start with /"),
    ("space in path", fields { $0[2].1 = "/test.Raw/Ec ho" }, "contains a space"),
    ("line feed in authority", fields { $0[3].1 = "a\nb" }, "has the byte 0x0A"),
    ("space in authority", fields { $0[3].1 = "local host" }, "has the byte 0x20"),
    ("userinfo in authority", fields { $0[3].1 = "user@host" }, "has the byte 0x40"),
    ("empty scheme", fields { $0[1].1 = "" }, ":scheme \"\" is not a URI scheme"),
    ("space in scheme", fields { $0[1].1 = "ht tp" }, "is not a URI scheme"),
    ("scheme starting with digit", fields { $0[1].1 = "1http" }, "is not a URI scheme"),
    (
      "content-length twice",
      fields { $0 += [("content-length", "7"), ("content-length", "7")] }, "repeats content-length"
    ),
    ("content-length not a number", fields { $0.append(("content-length", "7x")) }, "digits only"),
    (
      "bad content-type value", fields { $0[4].1 = "text/plain\r" },
      "contains NUL, CR or LF"
    ),
  ]

  @Test("malformed request gets 400", arguments: malformed.indices)
  func malformedRequest(index: Int) async throws {
    let (_, fields, problem) = Self.malformed[index]
    let reply = try #require(try await send([(fields, Self.message)]).first)
    #expect(reply.value(":status") == "400")
    #expect(reply.value("grpc-status") == "13")
    let message = try #require(reply.grpcMessage)
    #expect(message.hasPrefix("malformed HTTP/2 request: "))
    #expect(message.contains(problem), "\(message)")
  }

  @Test("valid request is echoed")
  func validRequest() async throws {
    let reply = try #require(try await send([(Self.fields { _ in }, Self.message)]).first)
    #expect(reply.value(":status") == "200")
    #expect(reply.value("grpc-status") == "0")
  }

  @Test("invalid base64 metadata names the key")
  func invalidBase64Metadata() async throws {
    let fields = Self.fields { $0.append(("x-data-bin", "AA-_")) }
    let reply = try #require(try await send([(fields, Self.message)]).first)
    #expect(reply.value("grpc-status") == "13")
    let message = try #require(reply.grpcMessage)
    #expect(message.contains("metadata x-data-bin is not valid base64"), "\(message)")
    #expect(message.contains("standard base64"), "\(message)")
  }

  @Test("token characters in names accepted")
  func tokenCharactersInNames() async throws {
    let fields = Self.fields { $0.append(("x!#$%&'*+-.^_`|~9", "1")) }
    let reply = try #require(try await send([(fields, Self.message)]).first)
    #expect(reply.value(":status") == "200")
    #expect(reply.value("grpc-status") == "0")
  }

  @Test("unusual scheme and authority accepted")
  func unusualSchemeAndAuthority() async throws {
    let fields = Self.fields {
      $0[1].1 = "svn+SSH.1-x"
      $0[3].1 = "[::1]:8443"
    }
    let reply = try #require(try await send([(fields, Self.message)]).first)
    #expect(reply.value(":status") == "200")
    #expect(reply.value("grpc-status") == "0")
  }

  @Test("te in upper case accepted")
  func teUpperCase() async throws {
    let fields = Self.fields { $0[5].1 = "Trailers" }
    let reply = try #require(try await send([(fields, Self.message)]).first)
    #expect(reply.value("grpc-status") == "0")
  }

  @Test("correct content-length is accepted")
  func contentLengthMatches() async throws {
    let fields = Self.fields { $0.append(("content-length", "7")) }
    let reply = try #require(try await send([(fields, Self.message)]).first)
    #expect(reply.value("grpc-status") == "0")
  }

  @Test("content-length above body rejected")
  func contentLengthShort() async throws {
    let fields = Self.fields {
      $0[2].1 = Self.syncEcho
      $0.append(("content-length", "9"))
    }
    let reply = try #require(try await send([(fields, Self.message)]).first)
    #expect(reply.value(":status") == "400")
    #expect(reply.value("grpc-status") == "13")
    #expect(reply.grpcMessage?.contains("content-length is 9 but the body has 7 bytes") == true)
  }

  @Test("content-length below body rejected")
  func contentLengthLong() async throws {
    let fields = Self.fields {
      $0[2].1 = Self.syncEcho
      $0.append(("content-length", "3"))
    }
    let reply = try #require(try await send([(fields, Self.message)]).first)
    #expect(reply.value(":status") == "400")
    #expect(reply.value("grpc-status") == "13")
    #expect(reply.grpcMessage?.contains("the body has more than 3 bytes") == true)
  }

  @Test("content-length without body rejected")
  func contentLengthNoBody() async throws {
    let fields = Self.fields {
      $0[2].1 = Self.syncEcho
      $0.append(("content-length", "7"))
    }
    let reply = try #require(try await send([(fields, [])]).first)
    #expect(reply.value(":status") == "400")
    #expect(reply.value("grpc-status") == "13")
    #expect(reply.grpcMessage?.contains("content-length is 7 but the body has 0 bytes") == true)
  }

  static let malformedTrailers: [(name: String, trailers: [(String, String)], problem: String)] =
    [
      ("pseudo field", [(":path", echo)], "the trailers contain the pseudo-header field"),
      ("upper-case name", [("X-Trailer", "1")], "in the trailers, header \"X-Trailer\""),
      ("NUL in value", [("x-trailer", "a\0b")], "contains NUL, CR or LF"),
      ("connection header", [("connection", "close")], "HTTP/1.1"),
    ]

  @Test("malformed trailers get 400", arguments: malformedTrailers.indices)
  func malformedTrailer(index: Int) async throws {
    let (_, trailers, problem) = Self.malformedTrailers[index]
    var replies: [RawHTTP2Client.Reply] = []
    try await withTestServer { _, _, endpoint in
      let client = try RawHTTP2Client(port: UInt16(endpoint.port))
      let fields = Self.fields { $0[2].1 = Self.syncEcho }
      replies.append(try client.send(fields, body: Self.message, trailers: trailers))
      replies.append(try client.send(fields, body: Self.message))
    }
    #expect(replies.map { $0.value(":status") } == ["400", "200"])
    #expect(replies.map { $0.value("grpc-status") } == ["13", "0"])
    let message = try #require(replies.first?.grpcMessage)
    #expect(message.hasPrefix("malformed HTTP/2 request: "))
    #expect(message.contains(problem), "\(message)")
  }

  @Test("valid trailers accepted")
  func validTrailers() async throws {
    var reply: RawHTTP2Client.Reply?
    try await withTestServer { _, _, endpoint in
      let client = try RawHTTP2Client(port: UInt16(endpoint.port))
      reply = try client.send(
        Self.fields { _ in }, body: Self.message, trailers: [("x-trailer", "a\tb")])
    }
    #expect(reply?.value(":status") == "200")
    #expect(reply?.value("grpc-status") == "0")
  }

  @Test("trailers without END_STREAM rejected")
  func trailersWithoutEndStream() async throws {
    var reply: RawHTTP2Client.Reply?
    try await withTestServer { _, _, endpoint in
      let client = try RawHTTP2Client(port: UInt16(endpoint.port))
      reply = try client.send(
        Self.fields { $0[2].1 = Self.syncEcho }, body: Self.message, trailers: [("x-trailer", "1")],
        trailersEndStream: false)
    }
    #expect(reply?.value(":status") == "400")
    #expect(reply?.grpcMessage?.contains("does not end the stream") == true)
  }

  @Test("long method quoted within bounds")
  func longMethodBounded() async throws {
    let method = String(repeating: "P", count: 12_000)
    let reply = try #require(
      try await send([(Self.fields { $0[0].1 = method }, Self.message)]).first)
    #expect(reply.value(":status") == "405")
    let message = try #require(reply.grpcMessage)
    #expect(message.utf8.count <= ServerConnection.maximumStatusMessageBytes)
    #expect(message.hasPrefix("gRPC requires POST, not \"PPP"))
    #expect(message.hasSuffix("\"; send POST"))
  }

  @Test("empty method quoted")
  func emptyMethodQuoted() async throws {
    let reply = try #require(try await send([(Self.fields { $0[0].1 = "" }, Self.message)]).first)
    #expect(reply.value(":status") == "405")
    #expect(reply.grpcMessage == "gRPC requires POST, not \"\"; send POST")
  }

  @Test("CONNECT request gets 405")
  func connectRequest() async throws {
    // A CONNECT request carries :authority but no :scheme or :path.
    let fields = [
      (":method", "CONNECT"), (":authority", "localhost:1"),
      ("content-type", "application/grpc"),
    ]
    let reply = try #require(try await send([(fields, Self.message)]).first)
    #expect(reply.value(":status") == "405")
    #expect(reply.grpcMessage == "gRPC requires POST, not \"CONNECT\"; send POST")
  }

  @Test("connection serves after a malformed request")
  func servesAfterMalformed() async throws {
    let valid = Self.fields { $0.append(("x-token", "abc")) }
    let invalid = Self.fields { $0.append(("x-token", "abc\r")) }
    let replies = try await send([
      (valid, Self.message), (invalid, Self.message), (valid, Self.message),
    ])
    #expect(replies.map { $0.value("grpc-status") } == ["0", "13", "0"])
  }

  @Test("changed field checked on a reused connection")
  func changedFieldChecked() async throws {
    // Each later request repeats the first one's fields but one: the path, the x-token, then
    // the authority, so each brings one field that the connection has not checked.
    let first = Self.fields { $0.append(("x-token", "abc")) }
    let second = Self.fields {
      $0[2].1 = "/test.Raw/Ec\u{7F}ho"
      $0.append(("x-token", "abc"))
    }
    let third = Self.fields { $0.append(("x-token", "ab c ")) }
    let fourth = Self.fields {
      $0[3].1 = "local\rhost"
      $0.append(("x-token", "abc"))
    }
    let replies = try await send([
      (first, Self.message), (second, Self.message), (third, Self.message),
      (fourth, Self.message),
    ])
    #expect(replies.map { $0.value(":status") } == ["200", "400", "400", "400"])
  }
}
