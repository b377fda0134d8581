import Glibc
import Testing

@testable import EdgecatRPC

@Suite("Message framing")
struct FramingTests {
  static let framed = MessageFramer.frame(Array("split me".utf8))

  @Test("deframer handles every split point", arguments: 0...framed.count)
  func deframerSplit(at split: Int) throws {
    var deframer = MessageDeframer(maximumMessageSize: 1024)
    var messages: [String] = []
    for part in [Self.framed[..<split], Self.framed[split...]] {
      try part.withUnsafeBytes { bytes in
        try deframer.append(bytes) { messages.append(String(decoding: $0, as: UTF8.self)) }
      }
    }
    #expect(messages == ["split me"])
    #expect(!deframer.hasPartialMessage)
  }

  @Test("deframer keeps a chunk's unfinished message", arguments: 0...framed.count)
  func deframerChunks(at split: Int) throws {
    let two = MessageFramer.frame(Array("one".utf8)) + Self.framed
    var deframer = MessageDeframer(maximumMessageSize: 1024)
    var messages: [String] = []
    let cut = MessageFramer.frame(Array("one".utf8)).count + split
    for part in [two[..<cut], two[cut...], two[...]] {
      try part.withUnsafeBytes { bytes in
        try deframer.append(bytes) { messages.append(String(decoding: $0, as: UTF8.self)) }
      }
    }
    #expect(messages == ["one", "split me", "one", "split me"])
    #expect(!deframer.hasPartialMessage)
  }

  @Test("deframer rejects a length over the limit before the body arrives")
  func deframerLimit() {
    var deframer = MessageDeframer(maximumMessageSize: 4)
    let header: [UInt8] = [0, 0, 0, 0, 5]
    #expect(throws: MessageDeframer.Failure.self) {
      try header.withUnsafeBytes { try deframer.append($0) { _ in } }
    }
  }

  @Test("message split across DATA frames at every byte", arguments: 1..<framed.count)
  func wireSplit(at split: Int) async throws {
    try await withTestServer { _, client, _ in
      let call = client.makeCall(method: "/test.Raw/Echo")
      try await sendRaw(Array(Self.framed[..<split]), on: call)
      try await sendRaw(Array(Self.framed[split...]), on: call)
      call.closeSend()
      var replies: [String] = []
      for try await message in call.responses {
        replies.append(String(decoding: message, as: UTF8.self))
      }
      #expect(replies == ["split me"])
    }
  }

  @Test("message sent one byte per DATA frame")
  func oneBytePerFrame() async throws {
    try await withTestServer { _, client, _ in
      let call = client.makeCall(method: "/test.Raw/Echo")
      for byte in Self.framed { try await sendRaw([byte], on: call) }
      call.closeSend()
      var replies: [String] = []
      for try await message in call.responses {
        replies.append(String(decoding: message, as: UTF8.self))
      }
      #expect(replies == ["split me"])
    }
  }

  @Test("stream ending inside a message is INTERNAL")
  func truncatedStream() async throws {
    try await withTestServer { _, client, _ in
      let call = client.makeCall(method: "/test.Raw/Echo")
      try await sendRaw(Array(Self.framed.prefix(7)), on: call)
      call.closeSend()
      let status = await call.status
      #expect(status.code == .internal)
    }
  }
}

/// Queues bytes without a message prefix and waits until they left in a DATA frame of their own.
private func sendRaw(_ bytes: [UInt8], on call: ClientCall) async throws {
  if try call.outbound.append(bytes) {
    // The data source was deferred; ask the loop to resume it.
    call.resumeForTesting()
  }
  while !call.outbound.isEmpty { try await Task.sleep(for: .milliseconds(1)) }
  try await Task.sleep(for: .milliseconds(2))
}
