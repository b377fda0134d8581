/// Timers of one event loop: a binary min-heap ordered by deadline. Loop-thread only.
struct TimerQueue {
  typealias ID = UInt64

  private struct Entry {
    var deadline: UInt64
    var id: ID
    var work: () -> Void
  }

  private var heap: [Entry] = []
  private var cancelled: Set<ID> = []
  private var nextID: ID = 1
  /// The id of the earliest timer when it was last found not cancelled. Every loop iteration
  /// looks up the earliest timer twice, and this spares hashing its id against `cancelled`
  /// each time. Ids are never reused, so a new earliest timer never matches a stale value.
  private var liveTop: ID?

  /// Timers in the heap, cancelled ones not yet removed included.
  var count: Int { heap.count }

  mutating func add(deadline: UInt64, _ work: @escaping () -> Void) -> ID {
    let id = nextID
    nextID += 1
    heap.append(Entry(deadline: deadline, id: id, work: work))
    siftUp(heap.count - 1)
    return id
  }

  /// Marks a timer as cancelled. It leaves the heap when it reaches the top, or earlier once
  /// cancelled timers make up half of the heap. Timers armed and cancelled once per call, such
  /// as call deadlines, therefore do not pile up until their deadlines pass.
  mutating func cancel(_ id: ID) {
    if id == liveTop { liveTop = nil }
    cancelled.insert(id)
    if cancelled.count >= 64, cancelled.count * 2 >= heap.count { removeCancelled() }
  }

  /// Rebuilds the heap without its cancelled timers, and empties the cancelled set, which can
  /// also contain ids of timers that had already run when they were cancelled.
  private mutating func removeCancelled() {
    heap.removeAll { cancelled.contains($0.id) }
    cancelled.removeAll(keepingCapacity: true)
    var index = heap.count / 2
    while index > 0 {
      index -= 1
      siftDown(index)
    }
  }

  /// Returns the epoll_wait timeout: -1 with no timers, else milliseconds to the earliest one,
  /// rounded up so a timer never fires early.
  mutating func millisecondsUntilNext(now: UInt64) -> Int32 {
    dropCancelledTop()
    guard let first = heap.first else { return -1 }
    if first.deadline <= now { return 0 }
    return Int32(min((first.deadline - now + 999_999) / 1_000_000, 60_000))
  }

  /// Removes and returns the earliest timer that is due, so the caller runs it while the queue
  /// is free to take new or cancelled timers.
  mutating func popExpired(now: UInt64) -> (() -> Void)? {
    dropCancelledTop()
    guard let first = heap.first, first.deadline <= now else { return nil }
    return removeFirst().work
  }

  private mutating func dropCancelledTop() {
    while let first = heap.first, first.id != liveTop {
      guard cancelled.contains(first.id) else {
        liveTop = first.id
        return
      }
      cancelled.remove(first.id)
      _ = removeFirst()
    }
  }

  private mutating func removeFirst() -> Entry {
    let first = heap[0]
    let last = heap.removeLast()
    if !heap.isEmpty {
      heap[0] = last
      siftDown(0)
    }
    return first
  }

  private mutating func siftUp(_ start: Int) {
    var child = start
    while child > 0 {
      let parent = (child - 1) / 2
      if heap[parent].deadline <= heap[child].deadline { return }
      heap.swapAt(parent, child)
      child = parent
    }
  }

  private mutating func siftDown(_ start: Int) {
    var parent = start
    while true {
      let left = 2 * parent + 1
      let right = left + 1
      var smallest = parent
      if left < heap.count, heap[left].deadline < heap[smallest].deadline { smallest = left }
      if right < heap.count, heap[right].deadline < heap[smallest].deadline { smallest = right }
      if smallest == parent { return }
      heap.swapAt(parent, smallest)
      parent = smallest
    }
  }
}
