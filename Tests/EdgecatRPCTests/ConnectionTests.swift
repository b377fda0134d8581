import EdgecatLog
import Glibc
import Synchronization
import Testing

@testable import EdgecatRPC

@Suite("Connections and shutdown")
struct ConnectionTests {
  @Test("garbage instead of the preface closes only that connection")
  func garbagePreface() async throws {
    try await withTestServer { _, client, endpoint in
      let fd = try connectBlocking(to: endpoint)
      defer { close(fd) }
      let garbage =
        Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8) + [UInt8](repeating: 0xFF, count: 64)
      _ = garbage.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
      #expect(readUntilClosed(fd))
      let response = try await client.unary(
        method: "/test.Raw/Echo", request: Array("still up".utf8))
      #expect(String(decoding: response.message, as: UTF8.self) == "still up")
    }
  }

  @Test("silent connection is closed after the handshake timeout")
  func silentConnection() async throws {
    var configuration = ServerConfiguration()
    configuration.handshakeTimeout = .milliseconds(200)
    try await withTestServer(configuration: configuration) { _, _, endpoint in
      let fd = try connectBlocking(to: endpoint)
      defer { close(fd) }
      #expect(readUntilClosed(fd))
    }
  }

  @Test("random bytes after a valid preface never crash the server")
  func randomFrames() async throws {
    try await withTestServer { _, client, endpoint in
      var generator = SystemRandomNumberGenerator()
      for _ in 0..<20 {
        let fd = try connectBlocking(to: endpoint)
        var bytes = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)
        bytes += (0..<512).map { _ in UInt8.random(in: 0...255, using: &generator) }
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        _ = readUntilClosed(fd)
        close(fd)
      }
      let response = try await client.unary(method: "/test.Raw/Echo", request: Array("ok".utf8))
      #expect(response.message == Array("ok".utf8))
    }
  }

  @Test("shutdown lets an in-flight call finish")
  func shutdownInFlight() async throws {
    let service = SlowService()
    let server = RPCServer(services: [service])
    let port = try server.start(listeningOn: Endpoint(host: "127.0.0.1", port: 0))
    let endpoint = Endpoint(host: "127.0.0.1", port: port)
    let client = RPCClient(endpoint: endpoint)
    let call = Task { try await client.unary(method: "/test.Slow/Wait", request: []) }
    // Shutdown starts only once the handler runs: a call the server has not seen yet would be
    // refused, which is right but not what this test is about.
    var polls = 0
    while service.started.value.load(ordering: .acquiring) == 0 && polls < 1000 {
      try await Task.sleep(for: .milliseconds(10))
      polls += 1
    }
    #expect(service.started.value.load(ordering: .acquiring) == 1)
    await server.shutdown()
    let response = try await call.value
    #expect(response.message == Array("done".utf8))
    let late = RPCClient(endpoint: endpoint)
    let error = await rpcError { _ = try await late.unary(method: "/test.Slow/Wait", request: []) }
    #expect(error?.code == .unavailable)
  }

  @Test("shutdown ends calls still running after the grace period")
  func shutdownGraceExpires() async throws {
    var configuration = ServerConfiguration()
    configuration.shutdownGracePeriod = .milliseconds(200)
    let server = RPCServer(services: [RawEchoService()], configuration: configuration)
    let port = try server.start(listeningOn: Endpoint(host: "127.0.0.1", port: 0))
    let client = RPCClient(endpoint: Endpoint(host: "127.0.0.1", port: port))
    let call = client.makeCall(method: "/test.Raw/Sleep")
    try await call.send([])
    call.closeSend()
    try await Task.sleep(for: .milliseconds(100))
    await server.shutdown()
    let status = await call.status
    #expect(status.code == .unavailable)
  }

  @Test("port in use names the fix")
  func portInUse() async throws {
    let first = RPCServer(services: [RawEchoService()])
    let port = try first.start(listeningOn: Endpoint(host: "127.0.0.1", port: 0))
    defer { Task { await first.shutdown() } }
    let second = RPCServer(services: [RawEchoService()])

    #expect {
      try second.start(listeningOn: Endpoint(host: "127.0.0.1", port: port))
    } throws: { error in
      let message = (error as? RPCError)?.message ?? ""
      return message.contains("127.0.0.1:\(port)")
        && message.contains("another process listens on that port")
    }
  }

  @Test("client reconnects after the server restarts")
  func reconnect() async throws {
    let first = RPCServer(services: [RawEchoService()])
    let port = try first.start(listeningOn: Endpoint(host: "127.0.0.1", port: 0))
    let client = RPCClient(endpoint: Endpoint(host: "127.0.0.1", port: port))
    _ = try await client.unary(method: "/test.Raw/Echo", request: [1])
    await first.shutdown()
    let second = RPCServer(services: [RawEchoService()])
    try second.start(listeningOn: Endpoint(host: "127.0.0.1", port: port))
    let response = try await client.unary(method: "/test.Raw/Echo", request: [2])
    #expect(response.message == [2])
    await second.shutdown()
  }

  @Test("idle connection is closed")
  func idleTimeout() async throws {
    var configuration = ServerConfiguration()
    configuration.idleTimeout = .milliseconds(100)
    try await withTestServer(configuration: configuration) { server, client, _ in
      _ = try await client.unary(method: "/test.Raw/Echo", request: [])
      for _ in 0..<500 where server.connectionCount > 0 {
        try await Task.sleep(for: .milliseconds(10))
      }
      #expect(server.connectionCount == 0)
      let response = try await client.unary(method: "/test.Raw/Echo", request: [3])
      #expect(response.message == [3])
    }
  }
}

/// A service whose one method responds after 300 ms.
struct SlowService: RPCService {
  /// Handler calls started so far.
  final class Counter: Sendable {
    let value = Atomic<Int>(0)
  }

  let started = Counter()
  var serviceName: String { "test.Slow" }

  var methods: [RPCMethod] {
    [
      RPCMethod(path: "/test.Slow/Wait", shape: .unary) { [started] requests, writer, _ in
        started.value.add(1, ordering: .releasing)
        for try await _ in requests {}
        try await Task.sleep(for: .milliseconds(300))
        try await writer.write(Array("done".utf8))
      }
    ]
  }
}

/// Opens a blocking TCP connection for tests that speak raw bytes.
func connectBlocking(to endpoint: Endpoint) throws -> Int32 {
  let fd = try Socket.connect(to: endpoint)
  let flags = fcntl(fd, F_GETFL)
  _ = fcntl(fd, F_SETFL, flags & ~O_NONBLOCK)
  var pollFD = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
  _ = poll(&pollFD, 1, 2000)
  return fd
}

/// Reads until the peer closes; returns false when it stays open for two seconds.
func readUntilClosed(_ fd: Int32) -> Bool {
  var timeout = timeval(tv_sec: 2, tv_usec: 0)
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
  var buffer = [UInt8](repeating: 0, count: 4096)
  while true {
    let count = read(fd, &buffer, buffer.count)
    if count == 0 { return true }
    if count < 0 { return errno == ECONNRESET }
  }
}
