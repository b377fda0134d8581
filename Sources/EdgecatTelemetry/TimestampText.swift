/// Writes UTC times as SQLite datetime text, `YYYY-MM-DD HH:MM:SS.SSS`, into caller-owned
/// bytes, without the string allocations of `DatetimeText.format`, for the ingest path.
enum TimestampText {
  /// The length of one datetime text.
  static let length = 23
  static let millisecondsPerDay: Int64 = 86_400_000
  /// The first millisecond after 9999-12-31 23:59:59.999, the last time four digits can write.
  static let endMilliseconds: Int64 = 253_402_300_800_000

  /// Writes the datetime text of `milliseconds` since the Unix epoch, which must be in
  /// `0..<endMilliseconds`, into the 23 bytes at `output`.
  static func write(milliseconds: Int64, to output: UnsafeMutablePointer<UInt8>) {
    let days = milliseconds / millisecondsPerDay
    writeDay(days, to: output)
    let inDay = milliseconds - days * millisecondsPerDay
    output[10] = 0x20
    writeDigits(inDay / 3_600_000, count: 2, to: output + 11)
    output[13] = 0x3a
    writeDigits(inDay / 60_000 % 60, count: 2, to: output + 14)
    output[16] = 0x3a
    writeDigits(inDay / 1000 % 60, count: 2, to: output + 17)
    output[19] = 0x2e
    writeDigits(inDay % 1000, count: 3, to: output + 20)
  }

  /// Writes `YYYY-MM-DD` for `days` since 1970-01-01 (not negative) into 10 bytes.
  static func writeDay(_ days: Int64, to output: UnsafeMutablePointer<UInt8>) {
    let (year, month, day) = civilDate(days: days)
    writeDigits(year, count: 4, to: output)
    output[4] = 0x2d
    writeDigits(month, count: 2, to: output + 5)
    output[7] = 0x2d
    writeDigits(day, count: 2, to: output + 8)
  }

  /// Returns `YYYY-MM-DD` for `days` since 1970-01-01.
  static func day(_ days: Int64) -> String {
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 10) { buffer in
      writeDay(days, to: buffer.baseAddress!)
      return String(decoding: buffer, as: UTF8.self)
    }
  }

  /// Returns the datetime text of `milliseconds` since the Unix epoch.
  static func string(milliseconds: Int64) -> String {
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: length) { buffer in
      write(milliseconds: milliseconds, to: buffer.baseAddress!)
      return String(decoding: buffer, as: UTF8.self)
    }
  }

  private static func writeDigits(
    _ value: Int64, count: Int, to output: UnsafeMutablePointer<UInt8>
  ) {
    var rest = value
    for index in stride(from: count - 1, through: 0, by: -1) {
      output[index] = 0x30 + UInt8(rest % 10)
      rest /= 10
    }
  }

  /// Converts days since 1970-01-01 to a proleptic Gregorian date, by eras of 400 years.
  private static func civilDate(days: Int64) -> (year: Int64, month: Int64, day: Int64) {
    let shifted = days + 719_468
    let era = shifted / 146_097
    let dayOfEra = shifted - era * 146_097
    let yearOfEra =
      (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
    let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
    let shiftedMonth = (5 * dayOfYear + 2) / 153
    let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
    let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
    return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
  }
}
