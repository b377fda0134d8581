import EdgecatRPC
import Testing

@Suite("Synchronous unary methods")
struct SynchronousMethodTests {
  @Test("synchronous echo with trailers")
  func echo() async throws {
    try await withTestServer { _, client, _ in
      let response = try await client.unary(method: "/test.Raw/SyncEcho", request: [1, 2, 3])
      #expect(response.message == [1, 2, 3])
      #expect(response.trailers["x-sync"] == "yes")
      #expect(response.headers["x-request-id"] != nil)
    }
  }

  @Test("synchronous response headers")
  func responseHeaders() async throws {
    try await withTestServer { _, client, _ in
      let response = try await client.unary(
        method: "/test.Raw/SyncEcho", request: Array("header".utf8),
        metadata: Metadata([("x-request-id", "req-7")]))
      #expect(response.message == Array("header".utf8))
      #expect(response.headers["x-sync-header"] == "yes")
      #expect(response.headers["x-request-id"] == "req-7")
      #expect(response.trailers["x-sync"] == "yes")
    }
  }

  @Test("synchronous handler error becomes the status")
  func failure() async throws {
    try await withTestServer { _, client, _ in
      let error = await rpcError {
        _ = try await client.unary(method: "/test.Raw/SyncEcho", request: Array("fail".utf8))
      }
      #expect(error?.code == .aborted)
      #expect(error?.message == "asked to fail")
    }
  }

  @Test("synchronous method rejects two requests")
  func twoRequests() async throws {
    try await withTestServer { _, client, _ in
      let call = client.makeCall(method: "/test.Raw/SyncEcho")
      try await call.send([1])
      try await call.send([2])
      call.closeSend()
      #expect(await call.status.code == .internal)
    }
  }

  @Test("synchronous method rejects no request")
  func noRequest() async throws {
    try await withTestServer { _, client, _ in
      let call = client.makeCall(method: "/test.Raw/SyncEcho")
      call.closeSend()
      #expect(await call.status.code == .internal)
    }
  }

  @Test("synchronous method enforces the size limit")
  func sizeLimit() async throws {
    var configuration = ServerConfiguration()
    configuration.maximumReceiveMessageSize = 16
    try await withTestServer(configuration: configuration) { _, client, _ in
      let error = await rpcError {
        _ = try await client.unary(
          method: "/test.Raw/SyncEcho", request: [UInt8](repeating: 0, count: 17))
      }
      #expect(error?.code == .resourceExhausted)
    }
  }

  @Test("many concurrent synchronous calls")
  func concurrent() async throws {
    try await withTestServer { _, client, _ in
      try await withThrowingTaskGroup(of: Void.self) { group in
        for index in 0..<300 {
          group.addTask {
            let payload = Array("\(index)".utf8)
            let response = try await client.unary(method: "/test.Raw/SyncEcho", request: payload)
            #expect(response.message == payload)
          }
        }
        try await group.waitForAll()
      }
    }
  }
}
