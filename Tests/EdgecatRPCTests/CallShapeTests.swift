import EdgecatRPC
import Testing

@Suite("Call shapes over loopback")
struct CallShapeTests {
  @Test("unary echo")
  func unaryEcho() async throws {
    try await withTestServer { _, client, _ in
      let response = try await client.unary(method: "/test.Raw/Echo", request: bytes("hello"))
      #expect(text(response.message) == "hello")
    }
  }

  @Test("empty message")
  func emptyMessage() async throws {
    try await withTestServer { _, client, _ in
      let response = try await client.unary(method: "/test.Raw/Echo", request: [])
      #expect(response.message.isEmpty)
    }
  }

  @Test("large message near the limit")
  func largeMessage() async throws {
    try await withTestServer { _, client, _ in
      let payload = (0..<(4 * 1024 * 1024 - 16)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
      let response = try await client.unary(method: "/test.Raw/Echo", request: payload)
      #expect(response.message == payload)
    }
  }

  @Test("client streaming counts requests")
  func clientStreaming() async throws {
    try await withTestServer { _, client, _ in
      let call = client.makeCall(method: "/test.Raw/Count")
      for index in 0..<100 { try await call.send(bytes("\(index)")) }
      call.closeSend()
      var responses: [String] = []
      for try await message in call.responses { responses.append(text(message)) }
      #expect(responses == ["100"])
      #expect(await call.status.code == .ok)
    }
  }

  @Test("server streaming sends many responses")
  func serverStreaming() async throws {
    try await withTestServer { _, client, _ in
      let call = client.makeCall(method: "/test.Raw/Repeat")
      try await call.send(bytes("1000"))
      call.closeSend()
      var count = 0
      for try await message in call.responses {
        #expect(text(message) == "\(count)")
        count += 1
      }
      #expect(count == 1000)
    }
  }

  @Test("bidirectional ping-pong")
  func bidirectional() async throws {
    try await withTestServer { _, client, _ in
      let call = client.makeCall(method: "/test.Raw/Echo")
      var iterator = call.responses.makeAsyncIterator()
      for index in 0..<50 {
        try await call.send(bytes("ping \(index)"))
        let reply = try await iterator.next()
        #expect(reply.map(text) == "ping \(index)")
      }
      call.closeSend()
      #expect(try await iterator.next() == nil)
      #expect(await call.status.code == .ok)
    }
  }

  @Test("many concurrent calls share one connection")
  func concurrentCalls() async throws {
    try await withTestServer { server, client, _ in
      try await withThrowingTaskGroup(of: Void.self) { group in
        for index in 0..<200 {
          group.addTask {
            let response = try await client.unary(
              method: "/test.Raw/Echo", request: bytes("\(index)"))
            #expect(text(response.message) == "\(index)")
          }
        }
        try await group.waitForAll()
      }
      #expect(server.connectionCount == 1)
    }
  }
}
