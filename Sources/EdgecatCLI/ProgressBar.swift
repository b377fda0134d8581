/// A one-line progress bar on stderr for a transfer: bytes done of the total, the rate and the
/// time left. It draws only when stderr is a terminal, at most ten times a second, so that
/// logs and pipes get no control characters.
final class ProgressBar {
  private let label: String
  private let total: Int64
  /// Bytes done before this run, such as the kept part of a resumed download; the rate
  /// counts only the bytes after them.
  private let initial: Int64
  private let console: Console
  private let enabled: Bool
  private let clock = ContinuousClock()
  private let started: ContinuousClock.Instant
  private var lastDrawn: ContinuousClock.Instant?
  private var done: Int64

  init(label: String, total: Int64, initial: Int64 = 0, console: Console) {
    self.label = label
    self.total = total
    self.initial = initial
    self.console = console
    self.enabled = console.standardErrorIsTerminal()
    self.started = clock.now
    self.done = initial
  }

  /// Records that `count` more bytes are done, and redraws when the last draw is old enough.
  func advance(by count: Int) {
    done += Int64(count)
    guard enabled else { return }
    let now = clock.now
    if let lastDrawn, now - lastDrawn < .milliseconds(100), done < total { return }
    lastDrawn = now
    console.writeError("\r" + line(now: now) + "\u{1B}[K")
  }

  /// Ends the bar's line, so that later output starts on a new one.
  func finish() {
    guard enabled, lastDrawn != nil else { return }
    console.writeError("\r" + line(now: clock.now) + "\u{1B}[K\n")
  }

  private func line(now: ContinuousClock.Instant) -> String {
    let fraction = total > 0 ? min(1, Double(done) / Double(total)) : 1
    let width = 30
    let filled = Int(fraction * Double(width))
    let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
    let elapsed =
      Double((now - started).components.seconds)
      + Double((now - started).components.attoseconds) / 1e18
    let rate = elapsed > 0 ? Double(done - initial) / elapsed : 0
    var text = "\(label) [\(bar)] \(Int(fraction * 100))%"
    text += " \(NumberText.bytes(done))/\(NumberText.bytes(total))"
    text += "  \(NumberText.bytes(Int64(rate)))/s"
    if rate > 0, done < total {
      text += "  \(NumberText.duration(Double(total - done) / rate)) left"
    }
    return text
  }
}
