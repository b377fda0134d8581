import EdgecatProto
import EdgecatRPC

/// `edgecat.testing.v1.EchoService`, which the transport tests, the interop tests and the
/// benchmark call: one method per call shape, each echoing what it is sent. A request with
/// `status_code` set ends its call with that status; `delay_ms` waits before each response.
public struct EchoService: RPCService {
  public typealias Request = Edgecat_Testing_V1_EchoRequest
  public typealias Response = Edgecat_Testing_V1_EchoResponse

  public init() {}

  public var serviceName: String { "edgecat.testing.v1.EchoService" }

  public var methods: [RPCMethod] {
    [
      .unary("/edgecat.testing.v1.EchoService/Get") { (request: Request, _) in
        try Self.failIfAsked(request)
        try await Self.delay(request)
        return Self.response(to: request, index: 0, text: request.text)
      },
      .serverStreaming("/edgecat.testing.v1.EchoService/Expand") {
        (request: Request, writer: ResponseStreamWriter<Response>, _) in
        let words = request.text.split(separator: " ").map(String.init)
        let count = request.responseCount > 0 ? Int(request.responseCount) : words.count
        for index in 0..<count {
          try await Self.delay(request)
          let text = request.responseCount > 0 ? "\(request.text) \(index)" : words[index]
          try await writer.write(Self.response(to: request, index: index, text: text))
        }
        try Self.failIfAsked(request)
      },
      .clientStreaming("/edgecat.testing.v1.EchoService/Collect") {
        (requests: RequestStream<Request>, _) -> Response in
        var texts: [String] = []
        var payloadBytes = 0
        for try await request in requests {
          try Self.failIfAsked(request)
          texts.append(request.text)
          payloadBytes += request.payload.count
        }
        var response = Response()
        response.text = texts.joined(separator: " ")
        response.index = Int32(clamping: payloadBytes)
        return response
      },
      .bidirectionalStreaming("/edgecat.testing.v1.EchoService/Update") {
        (requests: RequestStream<Request>, writer: ResponseStreamWriter<Response>, _) in
        var index = 0
        for try await request in requests {
          try Self.failIfAsked(request)
          try await Self.delay(request)
          try await writer.write(Self.response(to: request, index: index, text: request.text))
          index += 1
        }
      },
    ]
  }

  private static func response(to request: Request, index: Int, text: String) -> Response {
    var response = Response()
    response.text = text
    response.index = Int32(clamping: index)
    if request.responseSize > 0 {
      response.payload = [UInt8](repeating: 0x65, count: Int(request.responseSize))
    } else {
      response.payload = request.payload
    }
    return response
  }

  private static func failIfAsked(_ request: Request) throws {
    guard request.statusCode != 0 else { return }
    let code = StatusCode(rawValue: Int(request.statusCode)) ?? .unknown
    throw RPCError(code, request.statusMessage)
  }

  private static func delay(_ request: Request) async throws {
    if request.delayMs > 0 { try await Task.sleep(for: .milliseconds(Int(request.delayMs))) }
  }
}
