import CNGHTTP2
import Testing

@testable import EdgecatRPC

@Suite("Session memory for nghttp2")
struct SessionMemoryTests {
  /// Calls `body` with the allocator of a new `SessionMemory`, which lives until it returns.
  func withAllocator(_ body: (nghttp2_mem) -> Void) {
    let memory = SessionMemory()
    body(memory.allocator)
    withExtendedLifetime(memory) {}
  }

  @Test("sizes map to classes")
  func sizeClasses() {
    let cases: [(size: Int, sizeClass: Int)] = [
      (0, 0), (1, 0), (64, 0), (65, 1), (128, 1), (129, 2), (2048, 5), (2049, 6), (4096, 6),
    ]
    for (size, sizeClass) in cases {
      #expect(FreeLists.sizeClass(of: size) == sizeClass, "\(size) bytes")
      #expect(FreeLists.capacity(of: sizeClass) >= size, "\(size) bytes")
    }
  }

  @Test("freed block is reused for its class")
  func reuse() {
    withAllocator { memory in
      let first = memory.malloc(100, memory.mem_user_data)!
      memory.free(first, memory.mem_user_data)
      let second = memory.malloc(120, memory.mem_user_data)!
      let other = memory.malloc(30, memory.mem_user_data)!

      #expect(second == first)
      #expect(other != first)
      memory.free(second, memory.mem_user_data)
      memory.free(other, memory.mem_user_data)
    }
  }

  @Test("blocks of every size hold their bytes")
  func distinctBlocks() {
    withAllocator { memory in
      let sizes = [0, 1, 63, 64, 65, 500, 4096, 4097, 100_000]
      let blocks = sizes.map { memory.malloc($0, memory.mem_user_data)! }
      for (index, (block, size)) in zip(blocks, sizes).enumerated() {
        block.initializeMemory(as: UInt8.self, repeating: UInt8(index), count: max(size, 1))
      }
      for (index, (block, size)) in zip(blocks, sizes).enumerated() {
        let bytes = UnsafeRawBufferPointer(start: block, count: max(size, 1))
        #expect(bytes.allSatisfy { $0 == UInt8(index) }, "\(size) bytes")
        #expect(Int(bitPattern: block) % 16 == 0, "\(size) bytes")
      }
      for block in blocks { memory.free(block, memory.mem_user_data) }
    }
  }

  @Test("calloc returns zeroed memory")
  func calloc() {
    withAllocator { memory in
      let dirty = memory.malloc(256, memory.mem_user_data)!
      dirty.initializeMemory(as: UInt8.self, repeating: 0xAB, count: 256)
      memory.free(dirty, memory.mem_user_data)

      let zeroed = memory.calloc(16, 16, memory.mem_user_data)!

      #expect(zeroed == dirty)
      #expect(UnsafeRawBufferPointer(start: zeroed, count: 256).allSatisfy { $0 == 0 })
      #expect(memory.calloc(Int.max, 2, memory.mem_user_data) == nil)
      memory.free(zeroed, memory.mem_user_data)
    }
  }

  @Test("realloc keeps bytes across classes")
  func realloc() {
    withAllocator { memory in
      func holdsPattern(_ block: UnsafeMutableRawPointer, _ count: Int) -> Bool {
        UnsafeRawBufferPointer(start: block, count: count).elementsEqual(
          (0..<count).map(UInt8.init))
      }
      let small = memory.realloc(nil, 40, memory.mem_user_data)!
      for index in 0..<40 {
        small.storeBytes(of: UInt8(index), toByteOffset: index, as: UInt8.self)
      }

      let same = memory.realloc(small, 64, memory.mem_user_data)!
      #expect(same == small)
      #expect(holdsPattern(same, 40))
      let larger = memory.realloc(same, 3000, memory.mem_user_data)!
      #expect(larger != same)
      #expect(holdsPattern(larger, 40))
      let large = memory.realloc(larger, 10_000, memory.mem_user_data)!
      #expect(holdsPattern(large, 40))
      let shrunk = memory.realloc(large, 20, memory.mem_user_data)!
      #expect(holdsPattern(shrunk, 20))
      memory.free(shrunk, memory.mem_user_data)
    }
  }

  @Test("free lists stop at their byte limit")
  func freeListLimit() {
    withAllocator { memory in
      let sizeClass = FreeLists.classCount - 1
      let limit = FreeLists.maximumFreeBytes / FreeLists.capacity(of: sizeClass)
      let blocks = (0..<(limit + 5)).map { _ in memory.malloc(4096, memory.mem_user_data)! }
      for block in blocks { memory.free(block, memory.mem_user_data) }

      #expect(FreeLists(memory.mem_user_data).length(sizeClass) == limit)
    }
  }
}
