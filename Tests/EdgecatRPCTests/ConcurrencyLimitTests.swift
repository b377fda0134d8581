import EdgecatRPC
import Synchronization
import Testing

@Suite("Concurrent stream limit")
struct ConcurrencyLimitTests {
  @Test("calls beyond the stream limit wait for a free stream")
  func streamLimit() async throws {
    var configuration = ServerConfiguration()
    configuration.maximumConcurrentStreams = 2
    let probe = ConcurrencyProbe()
    try await withTestServer(services: [probe], configuration: configuration) { server, client, _ in
      try await withThrowingTaskGroup(of: Void.self) { group in
        for _ in 0..<6 {
          group.addTask {
            _ = try await client.unary(method: "/test.Concurrency/Hold", request: [])
          }
        }
        try await group.waitForAll()
      }
      #expect(probe.maximum.load(ordering: .relaxed) <= 2)
      #expect(probe.completed.load(ordering: .relaxed) == 6)
      #expect(server.connectionCount == 1)
    }
  }
}

/// A service whose handler keeps its call open for 50 ms and records how many run at once.
final class ConcurrencyProbe: RPCService, Sendable {
  let active = Atomic<Int>(0)
  let maximum = Atomic<Int>(0)
  let completed = Atomic<Int>(0)

  var serviceName: String { "test.Concurrency" }

  var methods: [RPCMethod] {
    [
      RPCMethod(path: "/test.Concurrency/Hold", shape: .unary) { [self] requests, writer, _ in
        for try await _ in requests {}
        let now = active.wrappingAdd(1, ordering: .relaxed).newValue
        maximum.max(now, ordering: .relaxed)
        try await Task.sleep(for: .milliseconds(50))
        active.subtract(1, ordering: .relaxed)
        completed.add(1, ordering: .relaxed)
        try await writer.write([])
      }
    ]
  }
}

@Suite("Handler executors")
struct HandlerExecutorTests {
  @Test("handlers off the event loop serve all shapes", arguments: [true, false])
  func handlersOnEitherExecutor(onLoop: Bool) async throws {
    var configuration = ServerConfiguration()
    configuration.runsHandlersOnEventLoop = onLoop
    try await withTestServer(configuration: configuration) { _, client, _ in
      let response = try await client.unary(method: "/test.Raw/Echo", request: [9])
      #expect(response.message == [9])
      let call = client.makeCall(method: "/test.Raw/Repeat")
      try await call.send(Array("20".utf8))
      call.closeSend()
      var count = 0
      for try await _ in call.responses { count += 1 }
      #expect(count == 20)
    }
  }

  @Test("a waiting handler does not delay other calls")
  func slowHandlerIsolation() async throws {
    try await withTestServer(services: [RawEchoService(), SlowService()]) { _, client, _ in
      let slow = client.makeCall(method: "/test.Slow/Wait")
      try await slow.send([])
      slow.closeSend()
      for index in 0..<50 {
        let response = try await client.unary(method: "/test.Raw/Echo", request: [UInt8(index)])
        #expect(response.message == [UInt8(index)])
      }
      #expect(await slow.status.code == .ok)
    }
  }
}
