import Glibc

/// A failed file system call: the operation, the path and the errno.
public struct FileError: Error, Sendable, CustomStringConvertible {
  /// What was being done, such as "writing the upload" or "fsync".
  public let operation: String
  public let path: String
  /// The errno value the call failed with.
  public let code: Int32

  public init(operation: String, path: String, code: Int32) {
    self.operation = operation
    self.path = path
    self.code = code
  }

  /// The error of the system call that just failed, from `errno`.
  public static func last(_ operation: String, _ path: String) -> FileError {
    FileError(operation: operation, path: path, code: errno)
  }

  public var description: String {
    "\(operation) failed for \(path): \(String(cString: strerror(code))) (errno \(code))"
  }
}
