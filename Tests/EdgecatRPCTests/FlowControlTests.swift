import EdgecatRPC
import Testing

@Suite("Flow control")
struct FlowControlTests {
  @Test("slow reader receives a 16 MiB response stream intact")
  func slowReader() async throws {
    try await withTestServer { _, client, _ in
      let call = client.makeCall(method: "/test.Raw/Flood")
      try await call.send(Array("64".utf8))
      call.closeSend()
      var index = 0
      for try await message in call.responses {
        #expect(message.count == 256 * 1024)
        #expect(message.first == UInt8(index % 256))
        if index % 8 == 0 { try await Task.sleep(for: .milliseconds(5)) }
        index += 1
      }
      #expect(index == 64)
      #expect(await call.status.code == .ok)
    }
  }

  @Test("slow handler receives a 16 MiB request stream intact")
  func slowHandler() async throws {
    try await withTestServer { _, client, _ in
      let call = client.makeCall(method: "/test.Raw/SlowCount")
      let chunk = [UInt8](repeating: 7, count: 256 * 1024)
      for _ in 0..<64 { try await call.send(chunk) }
      call.closeSend()
      var replies: [String] = []
      for try await message in call.responses {
        replies.append(String(decoding: message, as: UTF8.self))
      }
      #expect(replies == ["\(64 * 256 * 1024)"])
    }
  }
}
