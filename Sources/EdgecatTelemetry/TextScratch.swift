/// Copies of the text that an INSERT borrows until it steps, reused across statements.
struct TextScratch: ~Copyable {
  private var buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: 1024)
  private var used = 0

  deinit { buffer.deallocate() }

  /// Empties the scratch and makes room for `byteCount` bytes of copies, so that no copy
  /// moves before the statement that borrows them steps.
  mutating func reset(minimumCapacity byteCount: Int) {
    used = 0
    guard byteCount > buffer.count else { return }
    buffer.deallocate()
    buffer = .allocate(capacity: byteCount * 2)
  }

  /// Copies `text` after the previous copies and returns its bytes.
  mutating func copy(_ text: String) -> UnsafeBufferPointer<UInt8> {
    let start = used
    let copied = text.utf8.withContiguousStorageIfAvailable { bytes in
      UnsafeMutableBufferPointer(rebasing: buffer[start...]).initialize(fromContentsOf: bytes)
    }
    if let copied {
      used += copied
    } else {
      for byte in text.utf8 {
        buffer[used] = byte
        used += 1
      }
    }
    return UnsafeBufferPointer(rebasing: buffer[start..<used])
  }
}
