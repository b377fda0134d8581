import Foundation
import Testing

/// The README's registry walk-through, run command by command against live services.
@Suite("README registry example")
struct ReadmeRegistryTests {
  static let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("README.md")

  /// Returns the commands of the first `sh` block after `heading`, with continuation lines
  /// joined.
  static func commands(after heading: String) throws -> [String] {
    let text = try String(contentsOf: readme, encoding: .utf8)
    let lines = text.components(separatedBy: "\n")
    let start = try #require(lines.firstIndex { $0.hasPrefix(heading) })
    let open = try #require(lines[start...].firstIndex(of: "```sh"))
    let close = try #require(lines[(open + 1)...].firstIndex(of: "```"))
    var commands: [String] = []
    var pending = ""
    for line in lines[(open + 1)..<close] {
      let trimmed = line.trimmingCharacters(in: .whitespaces)
      if trimmed.hasSuffix("\\") {
        pending += trimmed.dropLast() + " "
      } else {
        commands.append(pending + trimmed)
        pending = ""
      }
    }
    return commands
  }

  /// Splits a command line into words, keeping double-quoted text as one word.
  static func words(_ command: String) -> [String] {
    var words: [String] = []
    var word = ""
    var quoted = false
    for character in command {
      if character == "\"" {
        quoted.toggle()
      } else if character == " " && !quoted {
        if !word.isEmpty { words.append(word) }
        word = ""
      } else {
        word.append(character)
      }
    }
    if !word.isEmpty { words.append(word) }
    return words
  }

  @Test("registry commands run as written")
  func registryExample() async throws {
    let commands = try Self.commands(after: "The registry's nouns register a model")
    #expect(commands.count >= 7)
    try await ServiceFixture.with(registry: true) { fixture in
      _ = try fixture.write(bytes: Array(repeating: 7, count: 300_000), to: "defects.onnx")
      for command in commands {
        var arguments = Self.words(command)
        #expect(arguments.first == "edgecat")
        arguments.removeFirst()
        // Relative file paths name files in the fixture's folder, as if run from there.
        arguments = arguments.map { $0.hasPrefix("./") ? fixture.folder + $0.dropFirst() : $0 }
        try await fixture.succeed(arguments)
      }
      let copy = try Data(contentsOf: URL(fileURLWithPath: fixture.folder + "/copy.onnx"))
      #expect(copy.count == 300_000)
    }
  }
}
