import CProtobufC
import Glibc

/// A protobuf-c allocator for one unpack that serves allocations from a block of stack memory
/// and falls back to `malloc` once the block is used up.
///
/// An unpacked CheckRequest is four allocations (the struct and three strings), each of which
/// `malloc` and `free` would otherwise serve one by one. When every allocation came from the
/// block, the unpacked message needs no `protobuf_c_message_free_unpacked` walk.
struct DecodeMemory {
  private var next: UnsafeMutableRawPointer
  private let start: UnsafeMutableRawPointer
  private let end: UnsafeMutableRawPointer
  /// The allocations served by `malloc`, which `free_unpacked` must return.
  private(set) var heapAllocations = 0

  /// Serves allocations from `block`, whose base address is aligned to 16 bytes.
  private init(block: UnsafeMutableRawBufferPointer) {
    start = block.baseAddress!
    next = start
    end = start + block.count
  }

  /// Calls `body` with an allocator backed by `byteCount` bytes of stack memory and with the
  /// allocator's state. The stack memory is released when `body` returns. When
  /// `heapAllocations` is above 0, `body` must return the heap allocations with
  /// `protobuf_c_message_free_unpacked` and this allocator before it returns.
  static func with<Result>(
    byteCount: Int,
    _ body: (inout ProtobufCAllocator, UnsafePointer<DecodeMemory>) -> Result
  ) -> Result {
    withUnsafeTemporaryAllocation(byteCount: byteCount, alignment: 16) { block in
      var memory = DecodeMemory(block: block)
      return withUnsafeMutablePointer(to: &memory) { state in
        var allocator = ProtobufCAllocator(
          alloc: { data, size in
            data!.assumingMemoryBound(to: DecodeMemory.self).pointee.allocate(size)
          },
          free: { data, pointer in
            data!.assumingMemoryBound(to: DecodeMemory.self).pointee.free(pointer)
          },
          allocator_data: UnsafeMutableRawPointer(state))
        return body(&allocator, UnsafePointer(state))
      }
    }
  }

  private mutating func allocate(_ size: Int) -> UnsafeMutableRawPointer? {
    let rounded = (size + 15) & ~15
    if end - next >= rounded {
      let pointer = next
      next += rounded
      return pointer
    }
    heapAllocations += 1
    return malloc(size)
  }

  private func free(_ pointer: UnsafeMutableRawPointer?) {
    guard let pointer, pointer < start || pointer >= end else { return }
    Glibc.free(pointer)
  }
}
