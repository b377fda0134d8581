import EdgecatRPC
import Testing

@Suite("Statuses, metadata and limits")
struct StatusAndLimitTests {
  @Test("handler error reaches the client with its message and trailers")
  func handlerError() async throws {
    try await withTestServer { _, client, _ in
      await #expect {
        _ = try await client.unary(method: "/test.Raw/Fail", request: [])
      } throws: { error in
        guard let error = error as? RPCError else { return false }
        return error.code == .notFound && error.message == "no such thing: ü 100%"
          && error.metadata["x-detail"] == "more"
      }
    }
  }

  @Test("unknown method is UNIMPLEMENTED")
  func unknownMethod() async throws {
    try await withTestServer { _, client, _ in
      let error = await rpcError {
        _ = try await client.unary(method: "/test.Raw/Missing", request: [])
      }
      #expect(error?.code == .unimplemented)
      #expect(error?.message.contains("/test.Raw/Missing") == true)
    }
  }

  @Test("unknown service is UNIMPLEMENTED naming it")
  func unknownService() async throws {
    try await withTestServer { _, client, _ in
      let missingService = await rpcError {
        _ = try await client.unary(method: "/test.Elsewhere/Get", request: [])
      }
      #expect(missingService?.code == .unimplemented)
      #expect(missingService?.message.hasPrefix("unknown service test.Elsewhere;") == true)
      let missingMethod = await rpcError {
        _ = try await client.unary(method: "/test.Raw/Missing", request: [])
      }
      #expect(missingMethod?.message.hasPrefix("unknown service") == false)
    }
  }

  @Test("metadata round trip including binary values")
  func metadataRoundTrip() async throws {
    try await withTestServer { _, client, _ in
      var metadata = Metadata()
      metadata.add("x-test", "value one")
      metadata.add("x-data-bin", binary: [0, 1, 2, 255, 254])
      metadata.add("x-request-id", "req-42")
      let response = try await client.unary(
        method: "/test.Raw/Metadata", request: [], metadata: metadata)
      #expect(response.message == [0, 1, 2, 255, 254])
      #expect(response.trailers["x-test"] == "value one")
      #expect(response.headers["x-request-id"] == "req-42")
      #expect(response.headers["x-echo-request-id"] == "req-42")
    }
  }

  @Test("metadata of each call on one connection")
  func metadataPerCall() async throws {
    try await withTestServer { _, client, _ in
      // More distinct values than the connection keeps strings for, then the first ones again,
      // so that cached, evicted and repeated header values are all read back.
      let values = (0..<12).map { "value \($0)" } + ["value 0", "value 11", "", "value 1"]
      for value in values {
        var metadata = Metadata()
        metadata.add("x-test", value)
        metadata.add("x-request-id", "req-\(value)")
        let response = try await client.unary(
          method: "/test.Raw/Metadata", request: [], metadata: metadata)
        #expect(response.trailers["x-test"] == value)
        #expect(response.headers["x-echo-request-id"] == "req-\(value)")
      }
    }
  }

  @Test("metadata changing between calls")
  func metadataSequence() async throws {
    try await withTestServer { _, client, _ in
      // The server reuses a call's metadata for the next call with the same custom headers,
      // so each call here changes them in another way: same, fewer, more, other, none.
      let calls: [[(String, String)]] = [
        [("x-a", "1"), ("x-b", "2")], [("x-a", "1"), ("x-b", "2")], [("x-a", "1")],
        [("x-a", "1"), ("x-b", "2"), ("x-c", "3")], [("x-a", "1"), ("x-b", "9")], [],
        [("x-a", "1"), ("x-b", "2")], [("x-data-bin", "AAEC")], [("x-data-bin", "AAEC")],
      ]
      for headers in calls {
        var metadata = Metadata()
        for (key, value) in headers {
          if key.hasSuffix("-bin") {
            metadata.add(key, binary: [0, 1, 2])
          } else {
            metadata.add(key, value)
          }
        }
        let response = try await client.unary(
          method: "/test.Raw/SyncMetadata", request: [], metadata: metadata)
        let expected = headers.map { key, value in
          key.hasSuffix("-bin") ? "\(key)=[0, 1, 2]\n" : "\(key)=\(value)\n"
        }
        let received = String(decoding: response.message, as: UTF8.self)
          .split(separator: "\n").map { "\($0)\n" }
          .filter { !$0.hasPrefix("user-agent=") }
        #expect(received == expected)
      }
    }
  }

  @Test("request id is generated when missing")
  func generatedRequestID() async throws {
    try await withTestServer { _, client, _ in
      let response = try await client.unary(method: "/test.Raw/Metadata", request: [])
      let generated = response.headers["x-request-id"] ?? ""
      #expect(generated.count == 32)
      #expect(response.headers["x-echo-request-id"] == generated)
    }
  }

  @Test("empty request id is replaced")
  func emptyRequestID() async throws {
    try await withTestServer { _, client, _ in
      var metadata = Metadata()
      metadata.add("x-request-id", "")
      let response = try await client.unary(
        method: "/test.Raw/Metadata", request: [], metadata: metadata)
      let generated = response.headers["x-request-id"] ?? ""
      #expect(generated.count == 32)
      #expect(response.headers["x-echo-request-id"] == generated)
    }
  }

  @Test("message over the receive limit is RESOURCE_EXHAUSTED")
  func overLimitMessage() async throws {
    var configuration = ServerConfiguration()
    configuration.maximumReceiveMessageSize = 1024
    try await withTestServer(configuration: configuration) { _, client, _ in
      let error = await rpcError {
        _ = try await client.unary(
          method: "/test.Raw/Echo", request: [UInt8](repeating: 7, count: 1025))
      }
      #expect(error?.code == .resourceExhausted)
      #expect(error?.message.contains("1025") == true)
      let response = try await client.unary(
        method: "/test.Raw/Echo", request: [UInt8](repeating: 7, count: 1024))
      #expect(response.message.count == 1024)
    }
  }

  @Test("oversized header list is RESOURCE_EXHAUSTED")
  func oversizedHeaders() async throws {
    var configuration = ServerConfiguration()
    configuration.maximumHeaderListSize = 1024
    try await withTestServer(configuration: configuration) { _, client, _ in
      var metadata = Metadata()
      metadata.add("x-big", String(repeating: "a", count: 2000))
      let error = await rpcError {
        _ = try await client.unary(method: "/test.Raw/Echo", request: [], metadata: metadata)
      }
      #expect(error?.code == .resourceExhausted)
    }
  }

  @Test("connection refused is UNAVAILABLE")
  func connectionRefused() async throws {
    let server = RPCServer(services: [])
    let port = try server.start(listeningOn: Endpoint(host: "127.0.0.1", port: 0))
    await server.shutdown()
    let client = RPCClient(endpoint: Endpoint(host: "127.0.0.1", port: port))
    let error = await rpcError {
      _ = try await client.unary(method: "/test.Raw/Echo", request: [])
    }
    #expect(error?.code == .unavailable)
  }

  @Test("long status message keeps its start and end")
  func longStatusMessage() async throws {
    try await withTestServer { _, client, _ in
      let error = await rpcError {
        _ = try await client.unary(method: "/test.Raw/LongError", request: [])
      }
      let message = error?.message ?? ""
      #expect(error?.code == .invalidArgument)
      #expect(message.utf8.count <= 1024)
      #expect(message.hasPrefix("bad name éé"))
      #expect(message.hasSuffix("éé; use a shorter name"))
      #expect(message.contains("bytes left out) ..."))
    }
  }
}
