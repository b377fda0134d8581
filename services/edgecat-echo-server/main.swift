// edgecat-echo-server: serves edgecat.testing.v1.EchoService with health and reflection, for
// interop tests and benchmarks. It stores nothing.
import EdgecatEcho
import EdgecatLog
import EdgecatRPC
import Glibc

let usage = """
  usage: edgecat-echo-server [--listen HOST:PORT] [--port-file PATH] [--log-level LEVEL]

    --listen HOST:PORT   address to listen on (default 127.0.0.1:0, a free port)
    --port-file PATH     file to write the bound port to, once listening
    --log-level LEVEL    debug, info, warning or error (default info)

  """

func fail(_ message: String) -> Never {
  let text = Array("edgecat-echo-server: \(message)\n\(usage)".utf8)
  _ = text.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
  exit(2)
}

var listen = Endpoint(host: "127.0.0.1", port: 0)
var portFile: String?
var arguments = CommandLine.arguments.dropFirst()
while let flag = arguments.popFirst() {
  if flag == "--help" || flag == "-h" {
    print(usage, terminator: "")
    exit(0)
  }
  guard let value = arguments.popFirst() else { fail("\(flag) needs a value") }
  switch flag {
  case "--listen":
    guard let endpoint = Endpoint(parsing: value) else {
      fail("--listen \"\(value)\" is not HOST:PORT with a port from 0 to 65535")
    }
    listen = endpoint
  case "--port-file":
    portFile = value
  case "--log-level":
    guard let level = LogLevel(name: value) else {
      fail("--log-level \"\(value)\" is not one of debug, info, warning, error")
    }
    Logger.level = level
  default:
    fail("unknown flag \(flag)")
  }
}

let logger = Logger(component: "echo-server")
let server = RPCServer(services: [EchoService()])
let port: Int
do {
  port = try server.start(listeningOn: listen)
} catch {
  logger.error("cannot listen", ["listen": listen, "error": "\(error)"])
  exit(1)
}
if let portFile {
  let temporary = portFile + ".tmp"
  guard let file = fopen(temporary, "w") else {
    logger.error("cannot write the port file", ["path": portFile, "errno": errno])
    exit(1)
  }
  fputs("\(port)\n", file)
  fclose(file)
  rename(temporary, portFile)
}
await server.runUntilSignalled()
exit(0)
