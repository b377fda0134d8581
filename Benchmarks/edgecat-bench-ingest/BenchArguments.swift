import Glibc

/// The benchmark's command line: a mode, then `--records N` and `--folder DIR`.
struct BenchArguments {
  var mode = "ingest"
  var records: Int?
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
      default:
        print("unknown flag \(flag); use --records N or --folder DIR")
        exit(2)
      }
    }
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
