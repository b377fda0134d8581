extension MetricsChart {
  /// Block characters from low to high, one per sub-window.
  static let levels: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

  /// Both metrics as sparklines, one line per device on a scale shared by the devices, with
  /// the minimum, maximum and last value. A dot marks a sub-window without records.
  func text() -> String {
    let end = start + bucketSeconds * Double(bucketCount)
    var text = "\(TimeText.format(start)) to \(TimeText.format(end)) UTC, \(bucketCount) steps"
    text += " of \(NumberText.duration(bucketSeconds))\n"
    guard !series.isEmpty else { return text + "no records in the window\n" }
    text += "\np99 latency (ms)\n" + sparklines(digits: 1) { $0.p99LatencyMs }
    text += "\nmean confidence\n" + sparklines(digits: 3) { $0.meanConfidence }
    return text
  }

  private func sparklines(digits: Int, _ value: (Point) -> Double) -> String {
    let values = series.flatMap { $0.points.compactMap { $0.map(value) } }
    let low = values.min() ?? 0
    let high = values.max() ?? 0
    let width = series.map(\.deviceID.count).max() ?? 0
    var text = ""
    for (deviceID, points) in series {
      var line = "  " + deviceID + String(repeating: " ", count: width - deviceID.count + 2)
      for point in points {
        guard let point else {
          line += "·"
          continue
        }
        let fraction = high > low ? (value(point) - low) / (high - low) : 0.5
        line.append(Self.levels[min(Self.levels.count - 1, Int(fraction * 8))])
      }
      let own = points.compactMap { $0.map(value) }
      if let minimum = own.min(), let maximum = own.max(), let last = own.last {
        line += "  min " + NumberText.fixed(minimum, digits: digits)
        line += "  max " + NumberText.fixed(maximum, digits: digits)
        line += "  last " + NumberText.fixed(last, digits: digits)
      }
      text += line + "\n"
    }
    return text
  }
}
