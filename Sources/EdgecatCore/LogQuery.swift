import EdgecatStore

/// The position after the last row of a page of a log listed newest first: that row's time
/// and rowid, which together order rows that share a time.
public struct LogCursor: Sendable, Hashable {
  public let time: Double
  public let rowID: Int64

  /// Encodes the cursor as a page token of `list`, the time as its exact bit pattern.
  public func token(list: String) -> String {
    Paging.token(list: list, cursor: String(time.bitPattern, radix: 16) + "/" + String(rowID))
  }

  /// Decodes a page token of `list`; nil for an empty token, INVALID_ARGUMENT for a bad one.
  public static func decode(_ token: String, list: String) throws(ServiceError) -> LogCursor? {
    guard let cursor = try Paging.cursor(in: token, list: list) else { return nil }
    let fields = cursor.split(separator: "/", omittingEmptySubsequences: false)
    guard fields.count == 2, let bits = UInt64(fields[0], radix: 16),
      let rowID = Int64(fields[1])
    else {
      throw .invalidArgument(
        "page_token is malformed; pass the next_page_token of the previous page unchanged")
    }
    return LogCursor(time: Double(bitPattern: bits), rowID: rowID)
  }
}

/// A SELECT of one page of a time-ordered log table, newest first, built from optional
/// filters. Every filter value is bound as a parameter.
public struct LogQuery {
  private var conditions: [String] = []
  public private(set) var values: [SQLValue] = []

  public init() {}

  /// Keeps rows with `time` in [start, end); either bound may be nil. A start after the end
  /// is INVALID_ARGUMENT.
  public mutating func time(from start: Double?, to end: Double?) throws(ServiceError) {
    try Self.checkRange(from: start, to: end)
    if let start {
      conditions.append("time >= ?")
      values.append(.real(start))
    }
    if let end {
      conditions.append("time < ?")
      values.append(.real(end))
    }
  }

  /// Throws INVALID_ARGUMENT when both bounds are given and the start is after the end.
  public static func checkRange(from start: Double?, to end: Double?) throws(ServiceError) {
    guard let start, let end, start > end else { return }
    throw .invalidArgument(
      "start_time \(DatetimeText.format(start)) is after end_time \(DatetimeText.format(end));"
        + " swap them or leave one empty")
  }

  /// Keeps rows whose `column` equals `value`; a nil value keeps all.
  public mutating func equal(_ column: String, _ value: String?) {
    guard let value else { return }
    conditions.append("\(column) = ?")
    values.append(.text(value))
  }

  /// Keeps rows older than the last row of the previous page.
  public mutating func after(_ cursor: LogCursor?) {
    guard let cursor else { return }
    conditions.append("(time, rowid) < (?, ?)")
    values.append(.real(cursor.time))
    values.append(.integer(cursor.rowID))
  }

  /// Returns the SELECT of `columns`, rowid and time first, from `table`, with one row more
  /// than `limit` so the caller knows whether another page follows.
  public func sql(columns: String, table: String, limit: Int) -> (String, [SQLValue]) {
    var text = "SELECT rowid, time, \(columns) FROM \(table)"
    if !conditions.isEmpty { text += " WHERE " + conditions.joined(separator: " AND ") }
    text += " ORDER BY time DESC, rowid DESC LIMIT ?"
    return (text, values + [.integer(Int64(limit) + 1)])
  }

  /// Splits the fetched rows into the page and the token of the next one, empty on the last.
  public static func page(_ rows: [Row], limit: Int, list: String) -> (rows: [Row], next: String) {
    guard rows.count > limit else { return (rows, "") }
    let page = Array(rows.prefix(limit))
    let last = page[limit - 1]
    let cursor = LogCursor(time: last[1].double ?? 0, rowID: last[0].int64 ?? 0)
    return (page, cursor.token(list: list))
  }
}
