// edgecat: the admin command-line client of the edgecat services. The commands live in
// EdgecatCLI so that they can be tested without this executable.
import EdgecatCLI
import Glibc

var environment: [String: String] = [:]
var entry = environ
while let pointer = entry.pointee {
  let text = String(cString: pointer)
  if let equals = text.firstIndex(of: "=") {
    environment[String(text[..<equals])] = String(text[text.index(after: equals)...])
  }
  entry += 1
}
let status = await EdgecatCommand.run(
  arguments: Array(CommandLine.arguments.dropFirst()), environment: environment)
exit(status)
