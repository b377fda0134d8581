/// The UTF-8 bytes of a reason being built, made into one string at the end. Check builds a
/// reason of about 15 pieces for every call, so the bytes start in stack memory and each piece
/// costs one bounds check and one copy. A reason longer than that memory moves to the heap.
struct ReasonText {
  private static let stackCapacity = 512

  private var buffer: UnsafeMutableBufferPointer<UInt8>
  private var count = 0
  private var isOnHeap = false

  private init(buffer: UnsafeMutableBufferPointer<UInt8>) {
    self.buffer = buffer
  }

  /// Returns the string that `body` appends, piece by piece.
  static func build(_ body: (inout ReasonText) -> Void) -> String {
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: stackCapacity) { stack in
      var text = ReasonText(buffer: stack)
      body(&text)
      defer {
        if text.isOnHeap { text.buffer.deallocate() }
      }
      return String(
        decoding: UnsafeBufferPointer(rebasing: text.buffer[..<text.count]), as: UTF8.self)
    }
  }

  static func += (text: inout ReasonText, piece: String) {
    let copied: Void? = piece.utf8.withContiguousStorageIfAvailable { text.append($0) }
    if copied == nil { text.append(Array(piece.utf8)) }
  }

  private mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
    guard let source = bytes.baseAddress else { return }
    if buffer.count - count < bytes.count { grow(toFit: count + bytes.count) }
    UnsafeMutableRawPointer(buffer.baseAddress! + count).copyMemory(
      from: source, byteCount: bytes.count)
    count += bytes.count
  }

  private mutating func append(_ bytes: [UInt8]) {
    bytes.withUnsafeBufferPointer { append($0) }
  }

  private mutating func grow(toFit needed: Int) {
    let larger = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(needed, 2 * buffer.count))
    _ = larger.initialize(fromContentsOf: buffer[..<count])
    if isOnHeap { buffer.deallocate() }
    buffer = larger
    isOnHeap = true
  }
}
