/// A task executor that runs each job at once on the thread that enqueues it. A paced call's
/// task prefers it, so the task resumes on the event loop thread that completed the call and
/// records the outcome there, with no wake-up of a thread of the cooperative pool. Its jobs
/// run on the event loop thread, so they must not block, and recording an outcome takes only
/// a clock read and a lock.
final class InlineExecutor: TaskExecutor {
  static let shared = InlineExecutor()

  func enqueue(_ job: consuming ExecutorJob) {
    job.runSynchronously(on: asUnownedTaskExecutor())
  }
}
