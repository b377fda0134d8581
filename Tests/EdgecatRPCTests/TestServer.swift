import EdgecatRPC

/// Starts a server on a loopback port chosen by the system, runs `body` with a client for it,
/// and shuts both down. Each test gets event loops of its own, so a test that moves megabytes
/// through a debug build does not delay the timers of tests running beside it.
func withTestServer(
  services: [any RPCService] = [RawEchoService()],
  configuration: ServerConfiguration = ServerConfiguration(),
  _ body: (RPCServer, RPCClient, Endpoint) async throws -> Void
) async throws {
  let group = EventLoopGroup(threads: 2)
  defer { group.shutdown() }
  let server = RPCServer(services: services, configuration: configuration, group: group)
  let port = try server.start(listeningOn: Endpoint(host: "127.0.0.1", port: 0))
  let endpoint = Endpoint(host: "127.0.0.1", port: port)
  let client = RPCClient(endpoint: endpoint, group: group)
  do {
    try await body(server, client, endpoint)
  } catch {
    client.close()
    await server.shutdown()
    throw error
  }
  client.close()
  await server.shutdown()
}

func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

/// Runs `body` and returns the RPCError it threw, or nil when it succeeded.
func rpcError(_ body: () async throws -> Void) async -> RPCError? {
  do {
    try await body()
    return nil
  } catch let error as RPCError {
    return error
  } catch {
    return RPCError(.unknown, "not an RPCError: \(error)")
  }
}
