import EdgecatCore
import EdgecatStore

/// Computes a rule's metric for every subject from all raw rows, because alert evaluation is
/// not a read by a principal and no row filter applies. Windows select records by their own
/// timestamp, from `now` minus the window through `now`.
enum AlertMeasurements {
  static func measure(
    _ rule: AlertRule, inputs: AlertInputs, now: Double, in db: Database
  ) throws -> [AlertMeasurement] {
    let byDevice = rule.scope == .device
    let end = DatetimeText.format(now)
    let start = DatetimeText.format(now - Double(rule.windowSeconds))
    switch AlertMetricKind(rule.metric) {
    case .accuracy:
      return try accuracy(byDevice: byDevice, start: start, end: end, in: db)
    case .p99Latency:
      return try p99Latency(byDevice: byDevice, start: start, end: end, in: db)
    case .confidenceStddev:
      // The current UTC day, cut to the window when the window is shorter.
      let dayStart = (now / 86_400).rounded(.down) * 86_400
      let from = DatetimeText.format(max(dayStart, now - Double(rule.windowSeconds)))
      return try confidenceStddev(byDevice: byDevice, start: from, end: end, in: db)
    case .offline:
      return try offline(inputs.devices, now: now, in: db)
    case .versionMismatch:
      return versionMismatch(inputs)
    case nil:
      return []
    }
  }

  /// Computes accuracy over labelled records: the share whose prediction equals the label.
  static func accuracy(byDevice: Bool, start: String, end: String, in db: Database) throws
    -> [AlertMeasurement]
  {
    let keys = keyColumns(byDevice)
    let rows = try db.query(
      "SELECT \(keys), COUNT(*), TOTAL(prediction = label) FROM inference_logs"
        + " WHERE timestamp >= ? AND timestamp <= ? AND label IS NOT NULL GROUP BY \(keys)",
      .text(start), .text(end))
    return rows.compactMap { row in
      let count = row[row.count - 2].int64 ?? 0
      let correct = row[row.count - 1].double ?? 0
      guard count > 0, let subject = subject(row, byDevice: byDevice) else { return nil }
      return AlertMeasurement(subject: subject, value: correct / Double(count), samples: count)
    }
  }

  /// Computes the exact p99 latency by nearest rank: the value at rank ceil(0.99 * n) in ascending
  /// order, found by a window function so that no latency leaves SQLite.
  static func p99Latency(byDevice: Bool, start: String, end: String, in db: Database) throws
    -> [AlertMeasurement]
  {
    let keys = keyColumns(byDevice)
    let rows = try db.query(
      "SELECT \(keys), latency_ms, n FROM (SELECT \(keys), latency_ms,"
        + " ROW_NUMBER() OVER (PARTITION BY \(keys) ORDER BY latency_ms) AS rank,"
        + " COUNT(*) OVER (PARTITION BY \(keys)) AS n FROM inference_logs"
        + " WHERE timestamp >= ? AND timestamp <= ? AND latency_ms IS NOT NULL)"
        + " WHERE rank = (n * 99 + 99) / 100",
      .text(start), .text(end))
    return rows.compactMap { row in
      guard let subject = subject(row, byDevice: byDevice), let value = row[row.count - 2].double
      else { return nil }
      return AlertMeasurement(
        subject: subject, value: value, samples: row[row.count - 1].int64 ?? 0)
    }
  }

  /// Computes the sample standard deviation of confidence in one pass, from the sum and the
  /// sum of squares. Confidences lie in [0, 1], so rounding moves the variance by at most about
  /// n * 1e-16 (an estimate), far below any useful threshold. A subject with one record has no
  /// standard deviation and is left out.
  static func confidenceStddev(byDevice: Bool, start: String, end: String, in db: Database)
    throws -> [AlertMeasurement]
  {
    let keys = keyColumns(byDevice)
    let rows = try db.query(
      "SELECT \(keys), COUNT(*), TOTAL(confidence), TOTAL(confidence * confidence)"
        + " FROM inference_logs WHERE timestamp >= ? AND timestamp <= ?"
        + " AND confidence IS NOT NULL GROUP BY \(keys)",
      .text(start), .text(end))
    return rows.compactMap { row in
      let count = row[row.count - 3].int64 ?? 0
      let sum = row[row.count - 2].double ?? 0
      let squares = row[row.count - 1].double ?? 0
      guard count > 1, let subject = subject(row, byDevice: byDevice) else { return nil }
      let variance = max(0, (squares - sum * sum / Double(count)) / Double(count - 1))
      return AlertMeasurement(subject: subject, value: variance.squareRoot(), samples: count)
    }
  }

  /// Measures the seconds since each device's last heartbeat, from one sample, the heartbeat.
  /// `heartbeats.received_at` holds seconds since the Unix epoch, as the engine's clock does.
  static func offline(_ devices: [AlertDevice], now: Double, in db: Database) throws
    -> [AlertMeasurement]
  {
    var received: [String: Double] = [:]
    for row in try db.query("SELECT device_id, received_at FROM heartbeats") {
      if let id = row[0].string, let time = row[1].double { received[id] = time }
    }
    return devices.map { device in
      let subject = AlertSubject(deviceID: device.id)
      guard let time = received[device.id] else {
        return AlertMeasurement(subject: subject, value: -1, samples: 0, neverSeen: true)
      }
      return AlertMeasurement(subject: subject, value: max(0, now - time), samples: 1)
    }
  }

  /// Returns 1 for a device that runs a version other than its model's champion, else 0, over the
  /// reported models that have a champion. Devices that report no model are left out.
  static func versionMismatch(_ inputs: AlertInputs) -> [AlertMeasurement] {
    inputs.devices.filter { !$0.models.isEmpty }.map { device in
      let compared = device.models.filter { inputs.champions[$0.key] != nil }
      let mismatched = compared.contains { inputs.champions[$0.key] != $0.value }
      return AlertMeasurement(
        subject: AlertSubject(deviceID: device.id), value: mismatched ? 1 : 0,
        samples: Int64(compared.count))
    }
  }

  private static func keyColumns(_ byDevice: Bool) -> String {
    byDevice ? "device_id, model_name, model_version" : "model_name, model_version"
  }

  /// Reads the subject from a row that starts with `keyColumns(byDevice)`.
  private static func subject(_ row: Row, byDevice: Bool) -> AlertSubject? {
    let offset = byDevice ? 1 : 0
    guard let model = row[offset].string, let versionText = row[offset + 1].string,
      let version = Int64(versionText)
    else { return nil }
    return AlertSubject(
      deviceID: byDevice ? row[0].string : nil, model: model, version: version)
  }
}
