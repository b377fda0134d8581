import Synchronization
import Testing

@testable import EdgecatCLI

/// The progress bar of artifact transfers, drawn into a captured stderr.
@Suite("Progress bar")
struct ProgressBarTests {
  /// The text written to stderr.
  final class Captured: Sendable {
    let text = Mutex("")
  }

  /// A console whose stderr is a terminal or not and whose writes to it are kept.
  static func console(terminal: Bool, into errors: Captured) -> Console {
    Console(
      writeOutput: { _ in }, writeError: { text in errors.text.withLock { $0 += text } },
      readStandardInput: { "" }, readFile: { _ in "" }, standardInputIsTerminal: { false },
      standardErrorIsTerminal: { terminal })
  }

  @Test("a terminal gets bytes, percentage and a final line break")
  func terminal() {
    let errors = Captured()
    let bar = ProgressBar(
      label: "download", total: 4 << 20, initial: 1 << 20,
      console: Self.console(terminal: true, into: errors))
    bar.advance(by: 3 << 20)
    bar.finish()
    let text = errors.text.withLock { $0 }
    #expect(text.hasPrefix("\rdownload [##############################] 100% 4.0 MiB/4.0 MiB"))
    #expect(text.contains("/s"))
    #expect(text.hasSuffix("\u{1B}[K\n"))
    #expect(!text.contains(" left"))
  }

  @Test("no terminal gets no bar")
  func noTerminal() {
    let errors = Captured()
    let bar = ProgressBar(
      label: "upload", total: 100, console: Self.console(terminal: false, into: errors))
    bar.advance(by: 50)
    bar.advance(by: 50)
    bar.finish()
    #expect(errors.text.withLock { $0 }.isEmpty)
  }

  @Test("sizes and durations read as people write them")
  func units() {
    #expect(NumberText.bytes(512) == "512 B")
    #expect(NumberText.bytes(1536) == "1.5 KiB")
    #expect(NumberText.bytes(3 << 30) == "3.0 GiB")
    #expect(NumberText.duration(42) == "42s")
    #expect(NumberText.duration(185) == "3m05s")
    #expect(NumberText.duration(3720) == "1h02m")
  }
}
