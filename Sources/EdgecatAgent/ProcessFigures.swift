import Glibc

/// Resource figures of the agent process and its device, for heartbeats.
struct ProcessFigures {
  private var lastCPU: Double?
  private var lastWall: Double?

  /// Returns the process's CPU use since the previous call, as a percentage of one core, or 0
  /// on the first call.
  mutating func cpuPercentSinceLastCall() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    let cpu = Self.seconds(usage.ru_utime) + Self.seconds(usage.ru_stime)
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    let wall = Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    defer {
      lastCPU = cpu
      lastWall = wall
    }
    guard let lastCPU, let lastWall, wall > lastWall else { return 0 }
    return (cpu - lastCPU) / (wall - lastWall) * 100
  }

  /// Resident set size in bytes, from the second field of /proc/self/statm; 0 where it
  /// cannot be read.
  static func residentBytes() -> Int64 {
    guard let file = fopen("/proc/self/statm", "r") else { return 0 }
    defer { fclose(file) }
    var buffer = [UInt8](repeating: 0, count: 256)
    let count = fread(&buffer, 1, buffer.count, file)
    let fields = String(decoding: buffer[..<count], as: UTF8.self).split(separator: " ")
    guard fields.count >= 2, let pages = Int64(fields[1]) else { return 0 }
    return pages * Int64(sysconf(Int32(_SC_PAGESIZE)))
  }

  /// Bytes available to unprivileged users on the file system of `path`; 0 where unknown.
  static func freeBytes(at path: String) -> Int64 {
    var stats = statvfs()
    guard statvfs(path, &stats) == 0 else { return 0 }
    return Int64(stats.f_bavail) * Int64(stats.f_frsize)
  }

  private static func seconds(_ time: timeval) -> Double {
    Double(time.tv_sec) + Double(time.tv_usec) / 1e6
  }
}
