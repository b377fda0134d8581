import EdgecatLog
import Glibc

/// Start-up steps every service main takes, each ending the process with a message when it
/// fails: exit code 2 for a usage error, 1 for anything else.
extension ServiceOptions {
  /// Returns the value of `--<flag>` as a whole number of at least `minimum`.
  public func integerOrExit(_ flag: String, minimum: Int64 = 1) -> Int64 {
    let text = flags[flag] ?? ""
    guard let value = Int64(text), value >= minimum else {
      StandardError.write(
        "edgecat-\(name): --\(flag) \"\(text)\" is invalid; use a whole number of at least"
          + " \(minimum)\n")
      exit(2)
    }
    return value
  }

  /// Reads this service's own token from `--token-file`, as the policy service's bootstrap
  /// wrote it.
  public func serviceTokenOrExit(logger: Logger) -> String {
    guard let tokenFile else {
      StandardError.write(
        "edgecat-\(name): --token-file is missing; pass the file with this service's token, as"
          + " edgecat-policy --bootstrap-service \(name)=PATH wrote it\n")
      exit(2)
    }
    do {
      return try readTokenFile(tokenFile)
    } catch {
      logger.error("cannot read the token file", ["path": tokenFile, "error": error.message])
      exit(1)
    }
  }

  /// Creates `--data-dir` and its missing parents with mode 0700.
  public func createDataDirectoryOrExit(logger: Logger) {
    if let error = createDirectories(dataDirectory) {
      logger.error("cannot create the data folder", ["path": dataDirectory, "errno": error])
      exit(1)
    }
  }
}
