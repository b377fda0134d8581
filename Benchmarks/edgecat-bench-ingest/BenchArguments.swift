import EdgecatRPC
import Glibc

/// The benchmark's command line: a mode, then its flags.
struct BenchArguments {
  var mode = "ingest"
  var records: Int?
  /// The service's HOST:PORT, for the modes that call it.
  var target: String?
  var streams = 1
  var window = 8
  var serverPID: Int32?
  var tokenFile: String?
  var tokenFolder: String?
  var label = "run"
  /// The folder for the databases. When not given, a new temporary folder removed at exit.
  var folder: String?

  init(_ arguments: [String]) {
    var rest = arguments.dropFirst()
    if let first = rest.first, !first.hasPrefix("--") {
      mode = first
      rest = rest.dropFirst()
    }
    while let flag = rest.popFirst() {
      let value = rest.popFirst() ?? ""
      switch flag {
      case "--records": records = Int(value)
      case "--folder": folder = value
      case "--target": target = value
      case "--streams": streams = Int(value) ?? 0
      case "--window": window = Int(value) ?? 0
      case "--server-pid": serverPID = Int32(value)
      case "--token-file": tokenFile = value
      case "--token-folder": tokenFolder = value
      case "--label": label = value
      default:
        print("unknown flag \(flag); see the usage in edgecat-bench-ingest's main.swift")
        exit(2)
      }
    }
  }

  /// The `--target` endpoint, or exits naming the flag.
  var endpoint: Endpoint {
    guard let target, let colon = target.lastIndex(of: ":"),
      let port = Int(target[target.index(after: colon)...])
    else {
      print("--target HOST:PORT is missing or invalid: \(target ?? "")")
      exit(2)
    }
    return Endpoint(host: String(target[..<colon]), port: port)
  }

  static func temporaryFolder() -> String {
    var template = Array("/tmp/edgecat-bench-ingest-XXXXXX".utf8CString)
    guard mkdtemp(&template) != nil else { fatalError("mkdtemp failed: \(errno)") }
    return template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
  }
}

/// Wall-clock and process CPU seconds.
enum Clock {
  static func now() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
  }

  static func cpu() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
      + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
  }
}
