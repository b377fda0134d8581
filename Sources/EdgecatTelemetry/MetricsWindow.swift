import EdgecatCore

/// A metrics window `[start, end)` in whole milliseconds, which is where records are stamped:
/// a record at millisecond t is in the window when start <= t < end in seconds.
struct MetricsWindow {
  let startMilliseconds: Int64
  let endMilliseconds: Int64

  static let millisecondsPerHour: Int64 = 3_600_000

  /// Creates a window from seconds since the Unix epoch. Non-finite bounds, or an end not after the
  /// start, are INVALID_ARGUMENT.
  init(start: Double, end: Double) throws(ServiceError) {
    guard start.isFinite, end.isFinite, start < end else {
      throw .invalidArgument(
        "metrics window [\(start), \(end)) is invalid; the start must be before the end")
    }
    startMilliseconds = Self.milliseconds(start)
    endMilliseconds = Self.milliseconds(end)
  }

  /// The whole hours inside the window, as hours since the Unix epoch, or nil when none fits.
  var wholeHours: Range<Int64>? {
    let hour = Self.millisecondsPerHour
    let first = (startMilliseconds + hour - 1) / hour
    let last = endMilliseconds / hour
    return first < last ? first..<last : nil
  }

  /// Rounds up to the millisecond, clamped to the times datetime text can write.
  private static func milliseconds(_ seconds: Double) -> Int64 {
    let bounded = min(max(seconds * 1000, 0), Double(TimestampText.endMilliseconds))
    return Int64(bounded.rounded(.up))
  }
}

/// An inclusive range of UTC days, as "YYYY-MM-DD" text.
struct DayRange {
  let first: String
  let last: String

  /// Checks both days. A malformed day, or a start after the end, is INVALID_ARGUMENT.
  init(startDay: String, endDay: String) throws(ServiceError) {
    for (field, day) in [("start_day", startDay), ("end_day", endDay)] {
      guard day.utf8.count == 10, (try? DatetimeText.parse(day + " 00:00:00", field: field)) != nil
      else {
        throw .invalidArgument(
          "\(field) '\(day)' is not a UTC day; use YYYY-MM-DD, such as '2030-01-31'")
      }
    }
    guard startDay <= endDay else {
      throw .invalidArgument(
        "start_day \(startDay) is after end_day \(endDay); swap them or widen the range")
    }
    first = startDay
    last = endDay
  }

  func contains(_ day: String) -> Bool { day >= first && day <= last }
}
