import Glibc

/// Returns the current time in seconds since the Unix epoch, from `CLOCK_REALTIME`.
public func wallClockSeconds() -> Double {
  var now = timespec()
  clock_gettime(CLOCK_REALTIME, &now)
  return Double(now.tv_sec) + Double(now.tv_nsec) / 1_000_000_000
}
