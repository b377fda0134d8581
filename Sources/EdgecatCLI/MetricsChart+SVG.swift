extension MetricsChart {
  /// Line colours of the devices, in order; they repeat after ten devices.
  static let colours = [
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
    "#bcbd22", "#17becf",
  ]

  /// Renders the chart as a standalone SVG 1.1 document: p99 latency above mean confidence, one line
  /// per device with a legend, and gaps where a device had no records.
  func svg() -> String {
    let width = 900.0
    let panelHeight = 260.0
    var text = """
      <?xml version="1.0" encoding="UTF-8"?>
      <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" \
      height="\(Int(panelHeight * 2 + 40))" viewBox="0 0 \(Int(width)) \(Int(panelHeight * 2 + 40))" \
      font-family="sans-serif" font-size="12">
      <rect width="100%" height="100%" fill="white"/>

      """
    let latencies = series.flatMap { $0.points.compactMap { $0?.p99LatencyMs } }
    let latencyTop = niceCeiling(latencies.max() ?? 1)
    text += panel(
      title: "p99 latency (ms)", top: 20, height: panelHeight, width: width, maximum: latencyTop
    ) { $0.p99LatencyMs }
    text += panel(
      title: "mean confidence", top: 20 + panelHeight + 20, height: panelHeight, width: width,
      maximum: 1
    ) { $0.meanConfidence }
    for (index, device) in series.enumerated() {
      let y = 40.0 + Double(index) * 18
      let colour = Self.colours[index % Self.colours.count]
      text += "<rect x=\"\(Int(width) - 140)\" y=\"\(Int(y) - 9)\" width=\"12\" height=\"12\""
      text += " fill=\"\(colour)\"/>\n"
      text += "<text x=\"\(Int(width) - 122)\" y=\"\(Int(y) + 1)\">"
      text += "\(escape(device.deviceID))</text>\n"
    }
    return text + "</svg>\n"
  }

  /// Renders one panel: frame, title, y grid with labels, time labels and a polyline per run of
  /// points without gaps.
  private func panel(
    title: String, top: Double, height: Double, width: Double, maximum: Double,
    _ value: (Point) -> Double
  ) -> String {
    let left = 60.0
    let right = width - 160
    let plotTop = top + 20
    let bottom = top + height - 30
    func x(_ index: Int) -> Double {
      left + (right - left) * (Double(index) + 0.5) / Double(bucketCount)
    }
    func y(_ number: Double) -> Double {
      bottom - (bottom - plotTop) * min(1, max(0, number / maximum))
    }
    var text = "<text x=\"\(Int(left))\" y=\"\(Int(top) + 12)\" font-weight=\"bold\">"
    text += "\(escape(title))</text>\n"
    // The minimum number of decimals that write a grid step such as 12.5 or 0.25 exactly.
    let digits =
      (0...3).first { digits in
        Double(NumberText.fixed(maximum / 4, digits: digits)) == maximum / 4
      } ?? 3
    for step in 0...4 {
      let number = maximum * Double(step) / 4
      let lineY = NumberText.fixed(y(number), digits: 1)
      text += "<line x1=\"\(Int(left))\" y1=\"\(lineY)\" x2=\"\(Int(right))\" y2=\"\(lineY)\""
      text += " stroke=\"#dddddd\"/>\n"
      text += "<text x=\"\(Int(left) - 6)\" y=\"\(lineY)\" text-anchor=\"end\""
      text += " dominant-baseline=\"middle\">\(NumberText.fixed(number, digits: digits))</text>\n"
    }
    for step in 0...4 {
      let time = start + bucketSeconds * Double(bucketCount) * Double(step) / 4
      let labelX = left + (right - left) * Double(step) / 4
      // "MM-DD HH:MM" over more than two days, else "HH:MM".
      let stamp = TimeText.format(time)
      let label =
        bucketSeconds * Double(bucketCount) > 172_800
        ? String(stamp.dropFirst(5).prefix(11)) : String(stamp.dropFirst(11).prefix(5))
      text += "<text x=\"\(Int(labelX))\" y=\"\(Int(bottom) + 18)\" text-anchor=\"middle\">"
      text += "\(label)</text>\n"
    }
    text += "<rect x=\"\(Int(left))\" y=\"\(Int(plotTop))\" width=\"\(Int(right - left))\""
    text += " height=\"\(Int(bottom - plotTop))\" fill=\"none\" stroke=\"#888888\"/>\n"
    for (index, device) in series.enumerated() {
      let colour = Self.colours[index % Self.colours.count]
      var run: [String] = []
      // A nil point past the end closes the last run.
      for (bucket, point) in zip(0..., device.points + [nil]) {
        if let point {
          let pointX = NumberText.fixed(x(bucket), digits: 1)
          run.append(pointX + "," + NumberText.fixed(y(value(point)), digits: 1))
          continue
        }
        if run.count == 1 {
          let parts = run[0].split(separator: ",")
          text += "<circle cx=\"\(parts[0])\" cy=\"\(parts[1])\" r=\"2.5\" fill=\"\(colour)\"/>\n"
        } else if run.count > 1 {
          text += "<polyline fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2\""
          text += " points=\"\(run.joined(separator: " "))\"/>\n"
        }
        run = []
      }
    }
    return text
  }

  /// Returns the smallest of 1, 2 or 5 times a power of ten at or above `value`, for the y scale.
  private func niceCeiling(_ value: Double) -> Double {
    guard value > 0, value.isFinite else { return 1 }
    var power = 1.0
    while power * 10 <= value { power *= 10 }
    while power > value { power /= 10 }
    for factor in [1.0, 2, 5, 10] where factor * power >= value { return factor * power }
    return 10 * power
  }

  /// Escapes text for SVG: &, < and > and quotes.
  private func escape(_ text: String) -> String {
    text.replacing("&", with: "&amp;").replacing("<", with: "&lt;").replacing(">", with: "&gt;")
      .replacing("\"", with: "&quot;")
  }
}
