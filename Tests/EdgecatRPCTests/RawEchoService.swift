import EdgecatRPC

/// A byte-level service for transport tests: every method echoes what it is sent.
struct RawEchoService: RPCService {
  var serviceName: String { "test.Raw" }

  var methods: [RPCMethod] {
    [
      RPCMethod(path: "/test.Raw/Echo", shape: .bidirectionalStreaming) { requests, writer, _ in
        for try await message in requests { try await writer.write(message) }
      },
      RPCMethod(path: "/test.Raw/Count", shape: .clientStreaming) { requests, writer, _ in
        var count = 0
        for try await _ in requests { count += 1 }
        try await writer.write(Array(String(count).utf8))
      },
      RPCMethod(path: "/test.Raw/Repeat", shape: .serverStreaming) { requests, writer, _ in
        for try await message in requests {
          let times = Int(String(decoding: message, as: UTF8.self)) ?? 0
          for index in 0..<times { try await writer.write(Array(String(index).utf8)) }
        }
      },
      RPCMethod(path: "/test.Raw/Flood", shape: .serverStreaming) { requests, writer, _ in
        for try await message in requests {
          let count = Int(String(decoding: message, as: UTF8.self)) ?? 0
          for index in 0..<count {
            try await writer.write([UInt8](repeating: UInt8(index % 256), count: 256 * 1024))
          }
        }
      },
      RPCMethod(path: "/test.Raw/SlowCount", shape: .clientStreaming) { requests, writer, _ in
        var bytes = 0
        for try await message in requests {
          bytes += message.count
          try await Task.sleep(for: .milliseconds(1))
        }
        try await writer.write(Array(String(bytes).utf8))
      },
      RPCMethod(path: "/test.Raw/LongError", shape: .unary) { requests, _, _ in
        for try await _ in requests {}
        throw RPCError(
          .invalidArgument,
          "bad name " + String(repeating: "é", count: 100_000) + "; use a shorter name")
      },
      RPCMethod(path: "/test.Raw/Fail", shape: .unary) { requests, _, context in
        for try await _ in requests {}
        context.addTrailer("x-detail", "more")
        throw RPCError(.notFound, "no such thing: ü 100%")
      },
      RPCMethod(path: "/test.Raw/Sleep", shape: .unary) { requests, writer, _ in
        for try await _ in requests {}
        try await Task.sleep(for: .seconds(30))
        try await writer.write([])
      },
      RPCMethod(path: "/test.Raw/SyncEcho") { request, context in
        if request == Array("fail".utf8) { throw RPCError(.aborted, "asked to fail") }
        context.addTrailer("x-sync", "yes")
        if request == Array("header".utf8) { context.addResponseHeader("x-sync-header", "yes") }
        return request
      },
      RPCMethod(path: "/test.Raw/SyncMetadata") { _, context in
        // One line per entry, so a test reads back exactly what the handler received.
        let lines = context.metadata.map { entry in
          switch entry.value {
          case .string(let text): "\(entry.key)=\(text)\n"
          case .binary(let bytes): "\(entry.key)=\(bytes)\n"
          }
        }
        return Array(lines.joined().utf8)
      },
      RPCMethod(path: "/test.Raw/Metadata", shape: .unary) { requests, writer, context in
        for try await _ in requests {}
        context.addResponseHeader("x-echo-request-id", context.requestID)
        if let value = context.metadata["x-test"] { context.addTrailer("x-test", value) }
        try await writer.write(context.metadata.binary("x-data-bin") ?? [])
      },
    ]
  }
}
