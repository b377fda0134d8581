/// Per-record copies of the text a statement borrows, reused across records.
struct TextScratch: ~Copyable {
  private var buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: 1024)
  private var used = 0

  deinit { buffer.deallocate() }

  /// Empties the scratch and makes room for every text of `record`, so that no copy moves.
  mutating func reserve(
    _ record: IngestValidation.Record, model: String, region: String?, version: String
  ) {
    used = 0
    let needed =
      record.deviceID.utf8.count + record.epoch.utf8.count
      + record.inputHash.utf8.count + model.utf8.count + (region?.utf8.count ?? 0)
      + version.utf8.count
    guard needed > buffer.count else { return }
    buffer.deallocate()
    buffer = .allocate(capacity: needed * 2)
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
