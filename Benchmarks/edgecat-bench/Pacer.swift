import CBenchLinux
import EdgecatRPC
import Glibc
import Synchronization

/// One connection's share of a paced load, started on a thread of its own. The thread sleeps
/// with clock_nanosleep until its next call is due and then starts every call that is due, so
/// a late wake-up starts a batch instead of shifting the schedule. A semaphore of `concurrency`
/// slots bounds the calls outstanding: a due call waits for a slot, and the end of a call
/// frees one.
final class Pacer: @unchecked Sendable {
  let load: PacedLoad
  let client: RPCClient
  /// The connection's number, which is also the index of its first call in the run.
  let connection: Int
  let figures = Mutex(PacedFigures())
  private let slots = UnsafeMutablePointer<sem_t>.allocate(capacity: 1)
  private var thread: pthread_t?

  init(load: PacedLoad, client: RPCClient, connection: Int) {
    self.load = load
    self.client = client
    self.connection = connection
    precondition(sem_init(slots, 0, UInt32(load.concurrency)) == 0, "sem_init failed")
  }

  deinit {
    sem_destroy(slots)
    slots.deallocate()
  }

  /// Starts the pacer's thread.
  func start() {
    thread = startThread { [self] in
      // Linux may wake a thread from clock_nanosleep as late as its timer slack (50 µs by
      // default) after the deadline, so the pacer lowers its own slack to 1 µs.
      if cbenchlinux_set_timer_slack(1_000) != 0 {
        print("edgecat-bench: prctl(PR_SET_TIMERSLACK) failed, so pacers may wake 50 us late")
      }
      run()
    }
  }

  /// Waits until the thread has ended, after every call it started ended.
  func join() {
    if let thread { pthread_join(thread, nil) }
  }

  private func run() {
    var index = connection
    while true {
      let scheduled = load.scheduledTime(index)
      guard scheduled < load.window.upperBound else { break }
      var now = load.elapsed()
      if scheduled > now {
        sleepUntil(load.start + scheduled)
        now = load.elapsed()
      }
      // Past the window's end, the calls still due are counted, not started.
      if now >= load.window.upperBound {
        var notStarted = 0
        while load.scheduledTime(index) < load.window.upperBound {
          if load.scheduledTime(index) >= load.window.lowerBound { notStarted += 1 }
          index += load.clients.count
        }
        figures.withLock { $0.notStarted += notStarted }
        break
      }
      if sem_trywait(slots) != 0 {
        waitForSlot()
        now = load.elapsed()
        if now >= load.window.upperBound {
          sem_post(slots)
          continue
        }
      }
      startCall(scheduled: scheduled, started: now)
      index += load.clients.count
    }
    for _ in 0..<load.concurrency { waitForSlot() }
  }

  /// Starts one call. Its task runs on this thread until the call is queued to the connection.
  /// The task then waits for the status and records the outcome on the thread that ended the call.
  private func startCall(scheduled: Int64, started: Int64) {
    // NOTE: RPCClient hands each call to the event loop on its own (a closure and a mailbox
    // lock in EventLoop.execute), and only calls started before the loop wakes share its wake-up.
    Task.immediate(executorPreference: InlineExecutor.shared) { [self] in
      let call = client.makeCall(method: load.method, metadata: load.metadata)
      try? await call.send(load.request)
      call.closeSend()
      let status = await call.status
      let outcome = PacedCall(
        scheduled: scheduled, started: started, ended: load.elapsed(),
        succeeded: status.code == .ok && call.hasUnreadResponses)
      figures.withLock { $0.record(outcome, window: load.window) }
      sem_post(slots)
    }
  }

  private func waitForSlot() {
    while sem_wait(slots) != 0 && errno == EINTR {}
  }
}
