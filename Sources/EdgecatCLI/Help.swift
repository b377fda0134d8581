/// The `--help` text of each level: the program, a noun and a verb.
enum Help {
  static let exitStatus =
    "exit status: 0 success, 1 failure (or a denied check), 2 usage error\n"

  static func program(_ nouns: [Noun]) -> String {
    var text = "usage: edgecat [global flags] <noun> <verb> [flags] [arguments]\n\n"
    text += "Administers edgecat: principals, tokens, grants, the catalog namespace, the model\n"
    text += "registry, devices and deployments, the fleet's telemetry and alerts, and the\n"
    text += "quarantine of the edge agent on this device.\n\n"
    text += "nouns:\n"
    let available = nouns.filter { $0.missingService == nil }
    text += columns(available.map { ($0.name, $0.summary) })
    let planned = nouns.filter { $0.missingService != nil }
    if !planned.isEmpty {
      text += "\nnouns that need a service this version does not include:\n"
      for service in Service.allCases {
        let names = planned.filter { $0.missingService == service }.map(\.name)
        guard !names.isEmpty else { continue }
        text += "  \(names.joined(separator: ", ")) (\(service.program))\n"
      }
    }
    text += "\n" + globalFlags() + "\n"
    text += "Run \"edgecat <noun> --help\" for a noun's verbs; --version prints the version.\n"
    return text + exitStatus
  }

  static func noun(_ noun: Noun) -> String {
    if let command = noun.command {
      var text = verb(command, path: "edgecat \(noun.name)")
      guard !noun.verbs.isEmpty else { return text }
      text += "\nverbs (instead of the command above):\n"
      text += columns(noun.verbs.map { ($0.name, $0.summary) })
      text += "\nRun \"edgecat \(noun.name) <verb> --help\" for a verb's flags.\n"
      return text
    }
    var text = "usage: edgecat \(noun.name) <verb> [flags] [arguments]\n\n\(noun.summary)\n\n"
    text += "verbs:\n" + columns(noun.verbs.map { ($0.name, $0.summary) })
    text += "\nRun \"edgecat \(noun.name) <verb> --help\" for a verb's flags; edgecat --help"
    text += " lists the global flags.\n"
    return text
  }

  static func verb(_ verb: Verb, path: String) -> String {
    var usage = "usage: \(path)"
    for argument in verb.arguments {
      var name = argument.isVariadic ? "\(argument.name)..." : argument.name
      if argument.isOptional { name = "[\(name)]" }
      usage += " " + name
    }
    if !verb.flags.isEmpty { usage += " [flags]" }
    var text = usage + "\n\n" + wrap(verb.summary, width: 100).joined(separator: "\n") + "\n"
    if !verb.arguments.isEmpty {
      text += "\narguments:\n" + columns(verb.arguments.map { ($0.name, $0.help) })
    }
    if !verb.flags.isEmpty {
      text += "\nflags:\n"
      text += columns(
        verb.flags.map { flag in
          var name = flag.short.map { "-\($0), " } ?? ""
          name += "--\(flag.name)"
          if let value = flag.valueName { name += " \(value)" }
          return (name, flag.help + (flag.repeatable ? "; repeatable" : ""))
        })
    }
    if !verb.details.isEmpty {
      text += "\n" + verb.details + (verb.details.hasSuffix("\n") ? "" : "\n")
    }
    text += "\nGlobal flags such as --output and --token also apply; edgecat --help lists them.\n"
    return text + exitStatus
  }

  static func globalFlags() -> String {
    var text = "global flags (flag, else EDGECAT_* variable, else key in the profile):\n"
    text += columns(
      GlobalFlag.all.map { flag in
        let sources =
          flag.inProfile ? "\(flag.environmentName), \(flag.profileKey)" : flag.environmentName
        return ("--\(flag.name) \(flag.valueName)", "\(flag.help) [\(sources)]")
      })
    return text
  }

  /// Two aligned columns, indented by two spaces, with the second wrapped at 100 columns.
  static func columns(_ rows: [(String, String)]) -> String {
    let width = min(rows.map(\.0.count).max() ?? 0, 30)
    let indent = String(repeating: " ", count: width + 4)
    var text = ""
    for (name, help) in rows {
      var lines = wrap(help, width: 100 - indent.count)
      if name.count > width {
        text += "  \(name)\n"
      } else {
        let first = lines.isEmpty ? "" : lines.removeFirst()
        text += "  " + name + String(repeating: " ", count: width - name.count + 2) + first + "\n"
      }
      for line in lines { text += indent + line + "\n" }
    }
    return text
  }

  /// Splits `text` into lines of at most `width` characters at spaces; a longer word gets a
  /// line of its own.
  static func wrap(_ text: String, width: Int) -> [String] {
    var lines: [String] = []
    var line = ""
    for word in text.split(separator: " ") {
      if !line.isEmpty && line.count + 1 + word.count > width {
        lines.append(line)
        line = ""
      }
      line += line.isEmpty ? String(word) : " " + word
    }
    if !line.isEmpty { lines.append(line) }
    return lines
  }
}
