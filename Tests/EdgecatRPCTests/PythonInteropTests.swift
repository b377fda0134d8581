import EdgecatRPC
import Glibc
import Testing

/// Starts the stock grpcio echo server in Tests/Interop and returns its process id and port.
private func startPythonServer() async throws -> (pid: pid_t, port: Int) {
  let testsFolder = String(#filePath.split(separator: "/").dropLast(2).joined(separator: "/"))
  let script = "/" + testsFolder + "/Interop/echo_server.py"
  var template = Array("/tmp/edgecat-interop-XXXXXX".utf8CString)
  guard mkdtemp(&template) != nil else { throw RPCError(.internal, "mkdtemp failed") }
  let folder = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
  let portFile = folder + "/port"
  var pid: pid_t = 0
  let arguments = ["python3", script, "--port-file", portFile]
  var cArguments = arguments.map { strdup($0) } + [nil]
  defer { for argument in cArguments { free(argument) } }
  // The child gets an empty signal mask and default handlers, so SIGTERM reaches it even when
  // the test process blocks or handles signals.
  var attributes = posix_spawnattr_t()
  posix_spawnattr_init(&attributes)
  defer { posix_spawnattr_destroy(&attributes) }
  var emptyMask = sigset_t()
  sigemptyset(&emptyMask)
  var defaultSignals = sigset_t()
  sigemptyset(&defaultSignals)
  sigaddset(&defaultSignals, SIGTERM)
  sigaddset(&defaultSignals, SIGINT)
  posix_spawnattr_setsigmask(&attributes, &emptyMask)
  posix_spawnattr_setsigdefault(&attributes, &defaultSignals)
  posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
  let result = posix_spawnp(&pid, "python3", nil, &attributes, &cArguments, environ)
  guard result == 0 else { throw RPCError(.internal, "posix_spawnp python3 failed with \(result)") }
  for _ in 0..<300 {
    if let file = fopen(portFile, "r") {
      var buffer = [CChar](repeating: 0, count: 16)
      let line = buffer.withUnsafeMutableBufferPointer { buffer in
        fgets(buffer.baseAddress, 16, file).map { String(cString: $0) }
      }
      fclose(file)
      if let line, let port = Int(line.split(separator: "\n").first ?? "") { return (pid, port) }
    }
    try await Task.sleep(for: .milliseconds(50))
  }
  kill(pid, SIGKILL)
  throw RPCError(.unavailable, "the Python echo server did not write \(portFile) within 15 s")
}

@Suite("Swift client against a stock grpcio server")
struct PythonInteropTests {
  @Test("echo shapes against grpcio")
  func echoAgainstPython() async throws {
    let (pid, port) = try await startPythonServer()
    defer {
      kill(pid, SIGTERM)
      var status: Int32 = 0
      waitpid(pid, &status, 0)
    }
    let client = RPCClient(endpoint: Endpoint(host: "127.0.0.1", port: port))
    defer { client.close() }
    try await exerciseEcho(client)

    let error = await rpcError {
      _ = try await client.unary(method: "/edgecat.testing.v1.EchoService/Nope", request: [])
    }
    #expect(error?.code == .unimplemented)

    var slow = EchoRequest()
    slow.delayMs = 2_000
    let late = await rpcError {
      let _: EchoResponse = try await client.unary(
        "/edgecat.testing.v1.EchoService/Get", slow, timeout: .milliseconds(200))
    }
    #expect(late?.code == .deadlineExceeded)
  }
}
