/// Copies of the text that a prepared INSERT binds with `bind(borrowedUTF8:at:)`, so that
/// SQLite neither allocates nor copies each value again. The statement borrows the copies
/// until it steps, so `reset(minimumCapacity:)` must make room for every copy of a statement
/// before the first one. One scratch serves statement after statement on one thread.
public struct TextScratch: ~Copyable {
  // Inlinable, so that the ingest and decision log hot paths copy without a call per value.
  @usableFromInline var buffer: UnsafeMutableBufferPointer<UInt8>
  @usableFromInline var used = 0

  public init(capacity: Int = 1024) {
    buffer = .allocate(capacity: capacity)
  }

  deinit { buffer.deallocate() }

  /// Empties the scratch and makes room for `byteCount` bytes of copies, so that no copy
  /// moves before the statement that borrows them steps.
  public mutating func reset(minimumCapacity byteCount: Int) {
    used = 0
    guard byteCount > buffer.count else { return }
    buffer.deallocate()
    buffer = .allocate(capacity: byteCount * 2)
  }

  /// Copies `text` after the previous copies and returns its bytes.
  @inlinable
  public mutating func copy(_ text: String) -> UnsafeBufferPointer<UInt8> {
    write { free in
      let copied = text.utf8.withContiguousStorageIfAvailable { bytes in
        free.initialize(fromContentsOf: bytes)
      }
      if let copied { return copied }
      var count = 0
      for byte in text.utf8 {
        free[count] = byte
        count += 1
      }
      return count
    }
  }

  /// Lets `body` write into the free space after the previous copies and returns the bytes it
  /// wrote. `body` returns their count, which must fit the room that `reset` made.
  @inlinable
  public mutating func write(_ body: (UnsafeMutableBufferPointer<UInt8>) -> Int)
    -> UnsafeBufferPointer<UInt8>
  {
    let start = used
    used += body(UnsafeMutableBufferPointer(rebasing: buffer[start...]))
    return UnsafeBufferPointer(rebasing: buffer[start..<used])
  }
}
