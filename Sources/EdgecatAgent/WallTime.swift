import Glibc

/// Returns the current time in milliseconds since the Unix epoch, from `CLOCK_REALTIME`.
func wallClockMilliseconds() -> Int64 {
  var now = timespec()
  clock_gettime(CLOCK_REALTIME, &now)
  return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000
}
