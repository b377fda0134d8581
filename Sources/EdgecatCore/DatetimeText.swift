/// UTC times as SQLite datetime text with milliseconds, `YYYY-MM-DD HH:MM:SS.SSS`, the form
/// every edgecat API uses. Text of this form sorts in time order.
public enum DatetimeText {
  private static let millisecondsPerDay: Int64 = 86_400_000

  /// Formats `seconds` since the Unix epoch, rounded down to the millisecond.
  public static func format(_ seconds: Double) -> String {
    // Clamped to 0000-01-01 through 9999-12-31, the years four digits can write, so that no
    // stored value can overflow the conversion below.
    let bounded = seconds.isFinite ? min(max(seconds, -62_167_219_200), 253_402_300_799.999) : 0
    let total = Int64((bounded * 1000).rounded(.down))
    let days = floorDivide(total, millisecondsPerDay)
    let inDay = total - days * millisecondsPerDay
    let (year, month, day) = civilDate(days: days)
    return pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2) + " "
      + pad(inDay / 3_600_000, 2) + ":" + pad(inDay / 60_000 % 60, 2) + ":"
      + pad(inDay / 1000 % 60, 2) + "." + pad(inDay % 1000, 3)
  }

  /// Parses `YYYY-MM-DD HH:MM:SS` with an optional fraction of 1 to 3 digits, as SQLite's
  /// datetime functions write it, into seconds since the Unix epoch. Anything else is
  /// INVALID_ARGUMENT naming `field`.
  public static func parse(_ text: String, field: String) throws(ServiceError) -> Double {
    let bytes = Array(text.utf8)
    func number(_ start: Int, _ count: Int) -> Int64? {
      guard start + count <= bytes.count else { return nil }
      var value: Int64 = 0
      for byte in bytes[start..<start + count] {
        guard byte >= 48, byte <= 57 else { return nil }
        value = value * 10 + Int64(byte - 48)
      }
      return value
    }
    func separator(_ index: Int, _ expected: String) -> Bool {
      index < bytes.count && expected.utf8.contains(bytes[index])
    }
    let invalid = ServiceError.invalidArgument(
      "\(field) '\(text)' is not a UTC time; use SQLite datetime text such as"
        + " '2030-01-31 23:59:59.000'")
    guard separator(4, "-"), separator(7, "-"), separator(10, " T"), separator(13, ":"),
      separator(16, ":"), let year = number(0, 4), let month = number(5, 2),
      let day = number(8, 2), let hour = number(11, 2), let minute = number(14, 2),
      let second = number(17, 2)
    else { throw invalid }
    var milliseconds: Int64 = 0
    if bytes.count > 19 {
      let digits = bytes.count - 20
      guard separator(19, "."), (1...3).contains(digits), let fraction = number(20, digits)
      else { throw invalid }
      milliseconds = fraction * [100, 10, 1][digits - 1]
    } else if bytes.count != 19 {
      throw invalid
    }
    guard (1...12).contains(month), day >= 1, day <= daysInMonth(month, year: year), hour < 24,
      minute < 60, second < 60
    else { throw invalid }
    let days = daysSinceEpoch(year: year, month: month, day: day)
    let total =
      days * millisecondsPerDay + hour * 3_600_000 + minute * 60_000 + second * 1000
      + milliseconds
    return Double(total) / 1000
  }

  private static func daysInMonth(_ month: Int64, year: Int64) -> Int64 {
    switch month {
    case 2: year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
    case 4, 6, 9, 11: 30
    default: 31
    }
  }

  /// Counts days from 1970-01-01 in the proleptic Gregorian calendar, by eras of 400 years.
  private static func daysSinceEpoch(year: Int64, month: Int64, day: Int64) -> Int64 {
    let shiftedYear = month <= 2 ? year - 1 : year
    let era = floorDivide(shiftedYear, 400)
    let yearOfEra = shiftedYear - era * 400
    let dayOfYear = (153 * ((month + 9) % 12) + 2) / 5 + day - 1
    let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
    return era * 146_097 + dayOfEra - 719_468
  }

  /// Converts days since 1970-01-01 back to a date, as the inverse of `daysSinceEpoch`.
  private static func civilDate(days: Int64) -> (year: Int64, month: Int64, day: Int64) {
    let shifted = days + 719_468
    let era = floorDivide(shifted, 146_097)
    let dayOfEra = shifted - era * 146_097
    let yearOfEra =
      (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
    let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
    let shiftedMonth = (5 * dayOfYear + 2) / 153
    let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
    let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
    return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
  }

  private static func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
    value >= 0 ? value / divisor : (value - divisor + 1) / divisor
  }

  private static func pad(_ value: Int64, _ width: Int) -> String {
    let digits = String(value)
    return String(repeating: "0", count: max(0, width - digits.count)) + digits
  }
}
