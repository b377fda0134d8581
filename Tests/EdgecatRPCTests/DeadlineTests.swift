import EdgecatRPC
import Testing

@Suite("Deadlines and cancellation")
struct DeadlineTests {
  @Test("call past its deadline is DEADLINE_EXCEEDED")
  func deadlineExceeded() async throws {
    try await withTestServer { _, client, _ in
      let error = await rpcError {
        _ = try await client.unary(
          method: "/test.Raw/Sleep", request: [], timeout: .milliseconds(200))
      }
      #expect(error?.code == .deadlineExceeded)
    }
  }

  @Test("server ends the call at the deadline it received")
  func serverSideDeadline() async throws {
    let observed = DeadlineProbe()
    try await withTestServer(services: [RawEchoService(), observed]) { _, client, _ in
      let call = client.makeCall(method: "/test.Probe/Wait", timeout: .seconds(1))
      try await call.send([])
      call.closeSend()
      let status = await call.status
      #expect(status.code == .deadlineExceeded)
      let remaining = try #require(await observed.remainingAtStart.value)
      #expect(remaining > .zero)
      #expect(remaining <= .seconds(1))
      #expect(await observed.cancelled.value)
    }
  }

  @Test("client cancel cancels the handler")
  func clientCancel() async throws {
    let probe = DeadlineProbe()
    try await withTestServer(services: [probe]) { _, client, _ in
      let call = client.makeCall(method: "/test.Probe/Wait")
      try await call.send([])
      await probe.started.value
      call.cancel()
      #expect(await call.status.code == .cancelled)
      #expect(await probe.cancelled.value)
    }
  }
}

/// A service whose handler waits until it is cancelled and reports what it saw.
final class DeadlineProbe: RPCService, @unchecked Sendable {
  let remainingAtStart = AsyncValue<Duration?>()
  let started = AsyncValue<Void>()
  let cancelled = AsyncValue<Bool>()

  var serviceName: String { "test.Probe" }

  var methods: [RPCMethod] {
    [
      RPCMethod(path: "/test.Probe/Wait", shape: .unary) { [self] _, _, context in
        remainingAtStart.set(context.deadline?.remaining)
        started.set(())
        do {
          try await Task.sleep(for: .seconds(30))
          cancelled.set(false)
        } catch {
          cancelled.set(true)
          throw error
        }
      }
    ]
  }
}
