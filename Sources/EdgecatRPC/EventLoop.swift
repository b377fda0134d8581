import CLinux
import EdgecatLog
import Glibc
import Synchronization

/// Something registered with an event loop for readiness events on one file descriptor.
protocol EventSource: AnyObject {
  /// Called on the loop's thread with the epoll event bits that are ready.
  func handleEvents(_ events: UInt32)

  /// Called once at the end of a loop iteration after `scheduleFlush` named this source, so that
  /// the output of all the work of one wakeup leaves in one write.
  func flush()
}

/// One thread running an epoll loop. Sockets, nghttp2 sessions and timers registered here are
/// used only from this thread. Other threads hand work to it with `execute`, which wakes the
/// loop through an eventfd. The loop is also a `TaskExecutor`: handler tasks started with it as
/// their preference run on this thread, so a call's request, handler and response need no
/// thread hop. Work that blocks belongs on threads of its own, as the SQLite store does.
final class EventLoop: TaskExecutor, @unchecked Sendable {
  let index: Int
  private let epollFD: Int32
  private let wakeFD: Int32
  private let mailbox = Mutex<Mailbox>(Mailbox())
  /// The loop is blocked in epoll_wait, or about to be, and needs an eventfd write to wake.
  private let sleeping = Atomic<Bool>(false)
  // The next four properties and `drained` are used on the loop thread only, so they skip the
  // runtime's exclusivity checks, which every loop iteration would otherwise pay several times.
  /// The registered sources, indexed by file descriptor. The kernel hands out the lowest free
  /// descriptor, so the array stays short.
  @exclusivity(unchecked) private var sources: [EventSource?] = []
  @exclusivity(unchecked) private var timers = TimerQueue()
  @exclusivity(unchecked) private var flushList: [EventSource] = []
  /// The sources that `runFlushes` is flushing now, swapped with `flushList` so that neither
  /// array is reallocated once both have grown to the number of sources that flush together.
  @exclusivity(unchecked) private var flushing: [EventSource] = []
  private var thread: pthread_t?
  private let stopping = Atomic<Bool>(false)
  private let logger = Logger(component: "rpc")
  /// Buffer that connections on this loop read into; loop thread only.
  let readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 65_536, alignment: 16)

  private struct Mailbox {
    var work: [() -> Void] = []
    var jobs: [UnownedJob] = []
    var isEmpty: Bool { work.isEmpty && jobs.isEmpty }
  }
  /// The mailbox's previous arrays, swapped in each iteration so draining allocates nothing.
  @exclusivity(unchecked) private var drained = Mailbox()

  init(index: Int) {
    self.index = index
    epollFD = epoll_create1(Int32(EPOLL_CLOEXEC))
    precondition(epollFD >= 0, "epoll_create1 failed with errno \(errno)")
    wakeFD = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
    precondition(wakeFD >= 0, "eventfd failed with errno \(errno)")
    var event = epoll_event()
    event.events = clinux_epollin()
    event.data.fd = wakeFD
    precondition(epoll_ctl(epollFD, EPOLL_CTL_ADD, wakeFD, &event) == 0)
  }

  deinit {
    readBuffer.deallocate()
    close(wakeFD)
    close(epollFD)
  }

  /// Starts the loop's thread.
  func start() {
    let box = Unmanaged.passRetained(self)
    var handle = pthread_t()
    let result = pthread_create(
      &handle, nil,
      { argument in
        let loop = Unmanaged<EventLoop>.fromOpaque(argument!).takeRetainedValue()
        loop.prepareThread()
        loop.run()
        return nil
      }, box.toOpaque())
    precondition(result == 0, "pthread_create failed with \(result)")
    thread = handle
  }

  /// Names the thread for `top -H` and `ps -L`. Linux limits a thread name to 15 bytes, so
  /// loops past index 99 keep the process's name.
  private func prepareThread() {
    _ = pthread_setname_np(pthread_self(), "edgecat-loop-\(index)")
  }

  /// Stops the loop after the work already queued ran, and waits for its thread to end.
  func stop() {
    stopping.store(true, ordering: .releasing)
    wake()
    if let thread, pthread_equal(thread, pthread_self()) == 0 { pthread_join(thread, nil) }
  }

  var inLoop: Bool {
    guard let thread else { return false }
    return pthread_equal(thread, pthread_self()) != 0
  }

  /// Runs `work` on the loop's thread soon. Safe from any thread.
  func execute(_ work: @escaping () -> Void) {
    mailbox.withLock { $0.work.append(work) }
    wakeIfSleeping()
  }

  /// Runs a task's job on the loop's thread; the `TaskExecutor` entry point.
  func enqueue(_ job: consuming ExecutorJob) {
    let unowned = UnownedJob(job)
    mailbox.withLock { $0.jobs.append(unowned) }
    wakeIfSleeping()
  }

  private func wakeIfSleeping() {
    if sleeping.exchange(false, ordering: .acquiringAndReleasing) { wake() }
  }

  private func wake() {
    var one: UInt64 = 1
    _ = Glibc.write(wakeFD, &one, 8)
  }
  // MARK: Loop-thread API

  func register(_ fd: Int32, _ source: EventSource, events: UInt32) {
    let slot = Int(fd)
    if slot >= sources.count {
      sources.append(contentsOf: repeatElement(nil, count: slot + 1 - sources.count))
    }
    sources[slot] = source
    var event = epoll_event()
    event.events = events
    event.data.fd = fd
    if epoll_ctl(epollFD, EPOLL_CTL_ADD, fd, &event) != 0 {
      logger.error("epoll_ctl add failed", ["fd": fd, "errno": errno])
    }
  }

  func modify(_ fd: Int32, events: UInt32) {
    var event = epoll_event()
    event.events = events
    event.data.fd = fd
    if epoll_ctl(epollFD, EPOLL_CTL_MOD, fd, &event) != 0 {
      logger.error("epoll_ctl modify failed", ["fd": fd, "errno": errno])
    }
  }

  func unregister(_ fd: Int32) {
    if Int(fd) < sources.count { sources[Int(fd)] = nil }
    epoll_ctl(epollFD, EPOLL_CTL_DEL, fd, nil)
  }

  /// Runs `work` on this loop once `deadline` (monotonic nanoseconds) has passed.
  @discardableResult
  func schedule(at deadline: UInt64, _ work: @escaping () -> Void) -> TimerQueue.ID {
    timers.add(deadline: deadline, work)
  }

  func cancelTimer(_ id: TimerQueue.ID) {
    timers.cancel(id)
  }

  /// Asks for `source.flush()` at the end of this iteration; several requests run it once.
  func scheduleFlush(_ source: EventSource) {
    if !flushList.contains(where: { $0 === source }) { flushList.append(source) }
  }

  private func runFlushes() {
    // A flush may schedule more flushes, of other sources or of its own, which run in the
    // next round.
    while !flushList.isEmpty {
      swap(&flushList, &flushing)
      for index in flushing.indices { flushing[index].flush() }
      flushing.removeAll(keepingCapacity: true)
    }
  }

  private func run() {
    var events = [epoll_event](repeating: epoll_event(), count: 256)
    while true {
      // The flag is set before the last check of the mailbox, so a producer either finds it set
      // and writes the eventfd, or queued its work before this check.
      sleeping.store(true, ordering: .sequentiallyConsistent)
      let hasWork = !mailbox.withLock { $0.isEmpty }
      let timeout = hasWork ? 0 : timers.millisecondsUntilNext(now: MonotonicClock.now())
      let count = epoll_wait(epollFD, &events, Int32(events.count), timeout)
      sleeping.store(false, ordering: .relaxed)
      if count < 0 && errno != EINTR {
        logger.error("epoll_wait failed", ["errno": errno])
      }
      for index in 0..<max(0, Int(count)) {
        let fd = events[index].data.fd
        if fd == wakeFD {
          var value: UInt64 = 0
          _ = read(wakeFD, &value, 8)
          continue
        }
        if Int(fd) < sources.count, let source = sources[Int(fd)] {
          source.handleEvents(events[index].events)
        }
      }
      runMailbox()
      let now = MonotonicClock.now()
      while let work = timers.popExpired(now: now) { work() }
      runFlushes()
      if stopping.load(ordering: .acquiring) {
        runMailbox()
        runFlushes()
        return
      }
    }
  }

  /// Runs what is queued now; work queued meanwhile waits for the next iteration, after the
  /// flushes, so that one iteration's output leaves together.
  private func runMailbox() {
    let hasWork = mailbox.withLock { mailbox -> Bool in
      guard !mailbox.isEmpty else { return false }
      swap(&mailbox, &drained)
      return true
    }
    guard hasWork else { return }
    for item in drained.work { item() }
    let executor = asUnownedTaskExecutor()
    for job in drained.jobs { job.runSynchronously(on: executor) }
    drained.work.removeAll(keepingCapacity: true)
    drained.jobs.removeAll(keepingCapacity: true)
  }
}
