/// Memory for the C structs of one encode, freed all at once when the arena is destroyed.
///
/// Allocations come from a first block that the caller lends, then from 4 KiB blocks, so
/// encoding a message costs a few `malloc` calls however many fields it has, and none when the
/// first block is large enough. Every allocation is aligned to 16 bytes, enough for any C field
/// type. A noncopyable struct that the encode keeps on its stack and lends by pointer, so that
/// the arena itself is not a heap allocation.
struct ProtoArena: ~Copyable {
  private static let blockSize = 4096
  static let alignment = 16

  /// The blocks this arena allocated; the lent first block is not among them.
  private var blocks: [UnsafeMutableRawPointer] = []
  private var next: UnsafeMutableRawPointer?
  private var remaining = 0

  /// Starts with `firstBlock`, which the caller keeps valid until the arena is destroyed and
  /// whose base address is aligned to `alignment`.
  init(firstBlock: UnsafeMutableRawBufferPointer) {
    next = firstBlock.baseAddress
    remaining = firstBlock.count & ~(Self.alignment - 1)
  }

  deinit {
    for block in blocks {
      block.deallocate()
    }
  }

  /// Returns uninitialized memory of at least `byteCount` bytes, valid until the arena is freed.
  mutating func allocate(byteCount: Int) -> UnsafeMutableRawPointer {
    let size = max(Self.alignment, (byteCount + Self.alignment - 1) & ~(Self.alignment - 1))
    if size > remaining {
      if size > Self.blockSize / 4 {
        return allocateBlock(byteCount: size)
      }
      next = allocateBlock(byteCount: Self.blockSize)
      remaining = Self.blockSize
    }
    let pointer = next!
    next = pointer + size
    remaining -= size
    return pointer
  }

  /// Copies `bytes` into the arena, or returns nil when there are none.
  mutating func copy(_ bytes: UnsafeRawBufferPointer) -> UnsafeMutableRawPointer? {
    guard let source = bytes.baseAddress, bytes.count > 0 else {
      return nil
    }
    let pointer = allocate(byteCount: bytes.count)
    pointer.copyMemory(from: source, byteCount: bytes.count)
    return pointer
  }

  /// Copies the UTF-8 of `string` into the arena as a NUL-terminated C string.
  mutating func cString(_ string: String) -> UnsafeMutablePointer<CChar> {
    var string = string
    return string.withUTF8 { utf8 in
      let pointer = allocate(byteCount: utf8.count + 1)
      if let source = utf8.baseAddress {
        pointer.copyMemory(from: source, byteCount: utf8.count)
      }
      pointer.storeBytes(of: 0, toByteOffset: utf8.count, as: UInt8.self)
      return pointer.bindMemory(to: CChar.self, capacity: utf8.count + 1)
    }
  }

  private mutating func allocateBlock(byteCount: Int) -> UnsafeMutableRawPointer {
    let block = UnsafeMutableRawPointer.allocate(byteCount: byteCount, alignment: Self.alignment)
    blocks.append(block)
    return block
  }
}
