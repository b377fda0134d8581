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

  /// Creates `--data-dir` and its missing parents with mode 0700. Takes an exclusive lock on
  /// its `LOCK` file for the life of the process, so that a second process started on the
  /// same folder exits instead of working on the same database.
  public func openDataDirectoryOrExit(logger: Logger) {
    if let error = createDirectories(dataDirectory) {
      logger.error(
        "cannot create the data folder",
        ["path": dataDirectory, "error": String(cString: strerror(error))])
      exit(1)
    }
    let lockPath = dataDirectory + "/LOCK"
    let descriptor = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
    guard descriptor >= 0 else {
      logger.error(
        "cannot open the data folder's lock file",
        ["path": lockPath, "error": String(cString: strerror(errno))])
      exit(1)
    }
    guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
      let error = errno
      if error == EWOULDBLOCK {
        StandardError.write(
          "edgecat-\(name): another process is using the data folder \(dataDirectory); stop it"
            + " or pass another --data-dir\n")
      } else {
        logger.error(
          "cannot lock the data folder",
          ["path": lockPath, "error": String(cString: strerror(error))])
      }
      exit(1)
    }
    // The descriptor stays open, and the lock held, until the process exits.
  }
}
