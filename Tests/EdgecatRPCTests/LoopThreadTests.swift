import CLinux
import Glibc
import Testing

@testable import EdgecatRPC

@Suite("Loop threads")
struct LoopThreadTests {
  /// Starts a group of two loops and returns each loop thread's name, read on that thread.
  private func readNames() async -> [String] {
    let group = EventLoopGroup(threads: 2)
    defer { group.shutdown() }
    var names: [String] = []
    for loop in group.loops {
      let name: String = await withCheckedContinuation { continuation in
        loop.execute {
          var buffer = [CChar](repeating: 0, count: 32)
          _ = pthread_getname_np(pthread_self(), &buffer, buffer.count)
          continuation.resume(
            returning: String(decoding: buffer.prefix { $0 != 0 }.map(UInt8.init), as: UTF8.self))
        }
      }
      names.append(name)
    }
    return names
  }

  @Test("loop threads named by index")
  func names() async {
    #expect(await readNames() == ["edgecat-loop-0", "edgecat-loop-1"])
  }
}
