import Dispatch
import EdgecatCrypto
import Glibc

/// One artifact file, read or written on a dispatch queue of its own so that blocking file
/// I/O never runs on Swift's cooperative pool. Calls run one at a time, in order.
final class ArtifactFile: @unchecked Sendable {
  let path: String
  // Used only on `queue`.
  private let descriptor: Int32
  private let queue: DispatchQueue

  private init(path: String, descriptor: Int32, queue: DispatchQueue) {
    self.path = path
    self.descriptor = descriptor
    self.queue = queue
  }

  deinit { Glibc.close(descriptor) }

  /// Opens `path` for reading.
  static func open(reading path: String) async throws -> ArtifactFile {
    let queue = DispatchQueue(label: "edgecat.artifact-file")
    let descriptor = try await run(on: queue) {
      let descriptor = Glibc.open(path, O_RDONLY | O_CLOEXEC)
      guard descriptor >= 0 else { throw failure("cannot open \(path)", fix: "check the path") }
      return descriptor
    }
    return ArtifactFile(path: path, descriptor: descriptor, queue: queue)
  }

  /// Opens `path` for writing from `offset`: the file is created when missing and cut to
  /// `offset` bytes, keeping what lies before.
  static func open(writing path: String, from offset: Int64) async throws -> ArtifactFile {
    let queue = DispatchQueue(label: "edgecat.artifact-file")
    let descriptor = try await run(on: queue) {
      let descriptor = Glibc.open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
      guard descriptor >= 0 else {
        throw failure("cannot create \(path)", fix: "check the folder and its permissions")
      }
      guard ftruncate(descriptor, off_t(offset)) == 0,
        lseek(descriptor, off_t(offset), SEEK_SET) >= 0
      else {
        Glibc.close(descriptor)
        throw failure("cannot truncate \(path) to \(offset) bytes", fix: "check the file")
      }
      return descriptor
    }
    return ArtifactFile(path: path, descriptor: descriptor, queue: queue)
  }

  /// Returns the size in bytes of the file at `path`, or nil when there is none.
  static func size(atPath path: String) async throws -> Int64? {
    try await run(on: DispatchQueue(label: "edgecat.artifact-file")) {
      var info = stat()
      guard stat(path, &info) == 0 else {
        guard errno == ENOENT else { throw failure("cannot read \(path)", fix: "check the path") }
        return nil
      }
      return Int64(info.st_size)
    }
  }

  /// Reads up to `count` bytes from the current position; an empty result is the end.
  func read(upTo count: Int) async throws -> [UInt8] {
    try await Self.run(on: queue) { [descriptor, path] in
      var buffer = [UInt8](repeating: 0, count: count)
      var filled = 0
      while filled < count {
        let result = buffer[filled...].withUnsafeMutableBytes {
          Glibc.read(descriptor, $0.baseAddress, $0.count)
        }
        if result < 0 && errno == EINTR { continue }
        guard result >= 0 else { throw Self.failure("cannot read \(path)", fix: "check the file") }
        if result == 0 { break }
        filled += result
      }
      return Array(buffer.prefix(filled))
    }
  }

  /// Writes every byte of `bytes` at the current position.
  func write(_ bytes: [UInt8]) async throws {
    try await Self.run(on: queue) { [descriptor, path] in
      var offset = 0
      while offset < bytes.count {
        let result = bytes[offset...].withUnsafeBytes {
          Glibc.write(descriptor, $0.baseAddress, $0.count)
        }
        if result < 0 && errno == EINTR { continue }
        guard result > 0 else {
          throw Self.failure("cannot write \(path)", fix: "check the free space")
        }
        offset += result
      }
    }
  }

  /// Flushes the written bytes to the disk (fsync).
  func sync() async throws {
    try await Self.run(on: queue) { [descriptor, path] in
      guard fsync(descriptor) == 0 else {
        throw Self.failure("cannot flush \(path)", fix: "check the disk")
      }
    }
  }

  /// Reads the file at `path` from its start and returns its SHA-256 as lowercase hex and
  /// its size in bytes.
  static func digest(ofPath path: String) async throws -> (sha256: String, size: Int64) {
    let file = try await open(reading: path)
    return try await run(on: file.queue) { [descriptor = file.descriptor] in
      let hash = SHA256()
      var buffer = [UInt8](repeating: 0, count: 1 << 20)
      var size: Int64 = 0
      while true {
        let count = buffer.withUnsafeMutableBytes {
          Glibc.read(descriptor, $0.baseAddress, $0.count)
        }
        if count < 0 && errno == EINTR { continue }
        guard count >= 0 else { throw failure("cannot read \(path)", fix: "check the file") }
        if count == 0 { break }
        buffer.withUnsafeBytes { hash.update(UnsafeRawBufferPointer(rebasing: $0[..<count])) }
        size += Int64(count)
      }
      return (Hex.encode(hash.finalize()), size)
    }
  }

  private static func run<Value: Sendable>(
    on queue: DispatchQueue, _ body: @escaping @Sendable () throws -> Value
  ) async throws -> Value {
    try await withCheckedThrowingContinuation { continuation in
      queue.async { continuation.resume(with: Swift.Result { try body() }) }
    }
  }

  /// Returns a failure that names the call's `errno` text and the fix.
  private static func failure(_ what: String, fix: String) -> CLIError {
    CLIError.failure("\(what): \(String(cString: strerror(errno))); \(fix)")
  }
}
