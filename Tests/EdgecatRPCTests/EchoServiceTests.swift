import EdgecatEcho
import EdgecatProto
import EdgecatRPC
import Testing

typealias EchoRequest = Edgecat_Testing_V1_EchoRequest
typealias EchoResponse = Edgecat_Testing_V1_EchoResponse

/// Runs the four EchoService shapes against `client`; shared by the Swift and Python servers.
func exerciseEcho(_ client: RPCClient) async throws {
  var request = EchoRequest()
  request.text = "alpha beta gamma"
  request.payload = [1, 2, 3]
  let reply: EchoResponse = try await client.unary("/edgecat.testing.v1.EchoService/Get", request)
  #expect(reply.text == "alpha beta gamma")
  #expect(reply.payload == [1, 2, 3])

  let expand: TypedCall<EchoRequest, EchoResponse> = client.makeCall(
    "/edgecat.testing.v1.EchoService/Expand")
  try await expand.send(request)
  expand.closeSend()
  var words: [String] = []
  for try await response in expand.responses { words.append(response.text) }
  #expect(words == ["alpha", "beta", "gamma"])

  let collect: TypedCall<EchoRequest, EchoResponse> = client.makeCall(
    "/edgecat.testing.v1.EchoService/Collect")
  for word in ["one", "two", "three"] {
    var part = EchoRequest()
    part.text = word
    part.payload = [0, 0]
    try await collect.send(part)
  }
  collect.closeSend()
  var collected: [EchoResponse] = []
  for try await response in collect.responses { collected.append(response) }
  #expect(collected.map(\.text) == ["one two three"])
  #expect(collected.map(\.index) == [6])

  let update: TypedCall<EchoRequest, EchoResponse> = client.makeCall(
    "/edgecat.testing.v1.EchoService/Update")
  var iterator = update.responses.makeAsyncIterator()
  for index in 0..<5 {
    var part = EchoRequest()
    part.text = "update \(index)"
    try await update.send(part)
    let response = try await iterator.next()
    #expect(response?.text == "update \(index)")
    #expect(response?.index == Int32(index))
  }
  update.closeSend()
  #expect(try await iterator.next() == nil)

  var failing = EchoRequest()
  failing.statusCode = Int32(StatusCode.permissionDenied.rawValue)
  failing.statusMessage = "no entry for ü, 50% off"
  let error = await rpcError {
    let _: EchoResponse = try await client.unary("/edgecat.testing.v1.EchoService/Get", failing)
  }
  #expect(error?.code == .permissionDenied)
  #expect(error?.message == "no entry for ü, 50% off")
}

@Suite("Echo, health and reflection over the typed API")
struct EchoServiceTests {
  @Test("echo service call shapes")
  func echoShapes() async throws {
    try await withTestServer(services: [EchoService()]) { _, client, _ in
      try await exerciseEcho(client)
    }
  }

  @Test("request with invalid UTF-8 is INVALID_ARGUMENT")
  func invalidUTF8() async throws {
    try await withTestServer(services: [EchoService()]) { _, client, _ in
      // Field 1 (text), length 2, bytes 0xC3 0x28: an invalid two-byte sequence.
      let error = await rpcError {
        _ = try await client.unary(
          method: "/edgecat.testing.v1.EchoService/Get", request: [0x0A, 0x02, 0xC3, 0x28])
      }
      #expect(error?.code == .invalidArgument)
      #expect(error?.message.contains("text") == true)
    }
  }

  @Test("request with a NUL in a string is INVALID_ARGUMENT")
  func nulInString() async throws {
    try await withTestServer(services: [EchoService()]) { _, client, _ in
      let error = await rpcError {
        _ = try await client.unary(
          method: "/edgecat.testing.v1.EchoService/Get", request: [0x0A, 0x03, 0x61, 0x00, 0x62])
      }
      #expect(error?.code == .invalidArgument)
    }
  }

  @Test("malformed protobuf is INVALID_ARGUMENT")
  func malformedMessage() async throws {
    try await withTestServer(services: [EchoService()]) { _, client, _ in
      let error = await rpcError {
        _ = try await client.unary(
          method: "/edgecat.testing.v1.EchoService/Get", request: [0x0A, 0x7F, 0x61])
      }
      #expect(error?.code == .invalidArgument)
    }
  }

  @Test("health check and watch")
  func health() async throws {
    try await withTestServer(services: [EchoService()]) { server, client, _ in
      var request = Grpc_Health_V1_HealthCheckRequest()
      request.service = "edgecat.testing.v1.EchoService"
      let response: Grpc_Health_V1_HealthCheckResponse = try await client.unary(
        "/grpc.health.v1.Health/Check", request)
      #expect(response.status == .serving)

      request.service = "no.such.Service"
      let error = await rpcError {
        let _: Grpc_Health_V1_HealthCheckResponse = try await client.unary(
          "/grpc.health.v1.Health/Check", request)
      }
      #expect(error?.code == .notFound)

      request.service = ""
      let watch: TypedCall<Grpc_Health_V1_HealthCheckRequest, Grpc_Health_V1_HealthCheckResponse> =
        client.makeCall("/grpc.health.v1.Health/Watch")
      try await watch.send(request)
      watch.closeSend()
      var updates = watch.responses.makeAsyncIterator()
      #expect(try await updates.next()?.status == .serving)
      server.health?.setStatus(.notServing, for: "")
      #expect(try await updates.next()?.status == .notServing)
      watch.cancel()
    }
  }

  @Test("reflection lists services and finds files", arguments: ["v1", "v1alpha"])
  func reflection(version: String) async throws {
    try await withTestServer(services: [EchoService()]) { _, client, _ in
      let call:
        TypedCall<
          Grpc_Reflection_V1_ServerReflectionRequest, Grpc_Reflection_V1_ServerReflectionResponse
        > = client.makeCall("/grpc.reflection.\(version).ServerReflection/ServerReflectionInfo")
      var responses = call.responses.makeAsyncIterator()

      var list = Grpc_Reflection_V1_ServerReflectionRequest()
      list.messageRequest = .listServices("")
      try await call.send(list)
      let names = try await responses.next()?.listServicesResponse.service.map(\.name) ?? []
      #expect(names.contains("edgecat.testing.v1.EchoService"))
      #expect(names.contains("grpc.health.v1.Health"))
      #expect(names.contains("grpc.reflection.v1alpha.ServerReflection"))

      var symbol = Grpc_Reflection_V1_ServerReflectionRequest()
      symbol.messageRequest = .fileContainingSymbol("edgecat.testing.v1.EchoService.Get")
      try await call.send(symbol)
      let files = try await responses.next()?.fileDescriptorResponse.fileDescriptorProto ?? []
      #expect(files.count == 1)
      #expect(String(decoding: files.first ?? [], as: UTF8.self).contains("echo.proto"))

      var missing = Grpc_Reflection_V1_ServerReflectionRequest()
      missing.messageRequest = .fileContainingSymbol("no.Such")
      try await call.send(missing)
      let error = try await responses.next()?.errorResponse
      #expect(error?.errorCode == Int32(StatusCode.notFound.rawValue))
      call.closeSend()
    }
  }
}
