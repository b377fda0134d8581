import CNGHTTP2
import Glibc

/// Memory for one nghttp2 session: blocks of 64 bytes to 4 KiB, kept on free lists by size class
/// when nghttp2 frees them. Each call makes about 13 allocations (its stream, its frames and
/// their header lists). With many open streams most of them overflowed the per-thread cache of
/// `malloc` and `free`, where reusing a block costs a few instructions.
///
/// Not thread-safe: nghttp2 calls these functions only inside calls into its session, which
/// stay on the connection's loop thread. The session must be deleted before this object.
final class SessionMemory {
  private let lists = FreeLists()

  deinit {
    lists.releaseAll()
  }

  /// The allocator to pass to `nghttp2_session_server_new3` or `nghttp2_session_client_new3`,
  /// valid while this object lives.
  var allocator: nghttp2_mem {
    nghttp2_mem(
      mem_user_data: lists.base,
      malloc: { size, lists in FreeLists(lists!).allocate(size) },
      free: { pointer, lists in FreeLists(lists!).free(pointer) },
      calloc: { count, size, lists in
        let (total, overflow) = count.multipliedReportingOverflow(by: size)
        guard !overflow, let memory = FreeLists(lists!).allocate(total) else { return nil }
        memset(memory, 0, total)
        return memory
      },
      realloc: { pointer, size, lists in FreeLists(lists!).reallocate(pointer, size) })
  }
}

/// The free lists of a `SessionMemory`, in one allocation of `2 * classCount` words: the first
/// free block of each class, linked through each block's first word, then each list's length.
/// Each block starts with a header word holding its class, or for a block of more than the
/// largest class, which comes from `malloc` directly, its size negated.
struct FreeLists {
  // Computed constants, which the compiler folds, where a `static let` would be read through
  // its lazy initializer on every allocation.
  /// The smallest class is 64 bytes, and each class twice the one before.
  static var smallestShift: Int { 6 }
  static var classCount: Int { 7 }
  static var largestClassBytes: Int { 1 << (smallestShift + classCount - 1) }
  /// Bytes of free blocks kept per class at most, more going back to `malloc`: 1,024 blocks
  /// of 64 bytes down to 16 of 4 KiB, so a connection keeps at most 448 KiB after a burst.
  static var maximumFreeBytes: Int { 64 << 10 }
  /// 16, so that the memory handed out keeps `malloc`'s alignment.
  static var headerBytes: Int { 16 }

  let base: UnsafeMutableRawPointer

  init() {
    base = .allocate(
      byteCount: 2 * Self.classCount * MemoryLayout<Int>.stride,
      alignment: MemoryLayout<Int>.alignment)
    base.initializeMemory(as: Int.self, repeating: 0, count: 2 * Self.classCount)
  }

  init(_ base: UnsafeMutableRawPointer) {
    self.base = base
  }

  /// Returns every free block to `malloc` and releases the lists.
  func releaseAll() {
    for sizeClass in 0..<Self.classCount {
      var block = head(sizeClass)
      while let current = block {
        block = current.load(as: UnsafeMutableRawPointer?.self)
        Glibc.free(current)
      }
    }
    base.deallocate()
  }

  func allocate(_ size: Int) -> UnsafeMutableRawPointer? {
    guard size <= Self.largestClassBytes else {
      guard let block = malloc(Self.headerBytes + size) else { return nil }
      block.storeBytes(of: -size, as: Int.self)
      return block + Self.headerBytes
    }
    let sizeClass = Self.sizeClass(of: size)
    let block: UnsafeMutableRawPointer
    if let free = head(sizeClass) {
      setHead(sizeClass, free.load(as: UnsafeMutableRawPointer?.self))
      setLength(sizeClass, length(sizeClass) - 1)
      block = free
    } else {
      guard let fresh = malloc(Self.headerBytes + Self.capacity(of: sizeClass)) else { return nil }
      block = fresh
    }
    block.storeBytes(of: sizeClass, as: Int.self)
    return block + Self.headerBytes
  }

  func free(_ pointer: UnsafeMutableRawPointer?) {
    guard let pointer else { return }
    let block = pointer - Self.headerBytes
    let sizeClass = block.load(as: Int.self)
    guard sizeClass >= 0,
      length(sizeClass) < Self.maximumFreeBytes >> (Self.smallestShift + sizeClass)
    else {
      Glibc.free(block)
      return
    }
    block.storeBytes(of: head(sizeClass), as: UnsafeMutableRawPointer?.self)
    setHead(sizeClass, block)
    setLength(sizeClass, length(sizeClass) + 1)
  }

  /// Returns `pointer` itself while its block holds `size` bytes, else a new block with the
  /// old block's bytes, as C's `realloc` does.
  func reallocate(_ pointer: UnsafeMutableRawPointer?, _ size: Int) -> UnsafeMutableRawPointer? {
    guard let pointer else { return allocate(size) }
    let block = pointer - Self.headerBytes
    let sizeClass = block.load(as: Int.self)
    let capacity = sizeClass >= 0 ? Self.capacity(of: sizeClass) : -sizeClass
    if sizeClass >= 0, size <= capacity { return pointer }
    guard let moved = allocate(size) else { return nil }
    moved.copyMemory(from: pointer, byteCount: min(capacity, size))
    free(pointer)
    return moved
  }

  static func sizeClass(of size: Int) -> Int {
    guard size > 1 << smallestShift else { return 0 }
    return Int.bitWidth - (size - 1).leadingZeroBitCount - smallestShift
  }

  static func capacity(of sizeClass: Int) -> Int { 1 << (smallestShift + sizeClass) }

  /// Returns the number of free blocks of `sizeClass`.
  func length(_ sizeClass: Int) -> Int {
    base.load(
      fromByteOffset: (Self.classCount + sizeClass) * MemoryLayout<Int>.stride, as: Int.self)
  }

  private func setLength(_ sizeClass: Int, _ length: Int) {
    base.storeBytes(
      of: length, toByteOffset: (Self.classCount + sizeClass) * MemoryLayout<Int>.stride,
      as: Int.self)
  }

  private func head(_ sizeClass: Int) -> UnsafeMutableRawPointer? {
    base.load(
      fromByteOffset: sizeClass * MemoryLayout<Int>.stride, as: UnsafeMutableRawPointer?.self)
  }

  private func setHead(_ sizeClass: Int, _ block: UnsafeMutableRawPointer?) {
    base.storeBytes(
      of: block, toByteOffset: sizeClass * MemoryLayout<Int>.stride,
      as: UnsafeMutableRawPointer?.self)
  }
}
