import CLinux
import EdgecatLog
import Glibc

/// The eventfd that the signal handler writes to; set once by `SignalWatcher.install`.
private var signalEventFD: Int32 = -1
/// The last signal number the handler saw.
private var lastSignal: Int32 = 0

/// Turns SIGTERM and SIGINT into a call on a thread of its own, so a server can shut down
/// gracefully. The signal handler only writes to an eventfd, which is async-signal-safe, so
/// any thread may take the signal.
public enum SignalWatcher {
  /// Installs handlers for SIGTERM and SIGINT and calls `handler` with the signal number the
  /// first time one arrives. A second signal exits the process at once with status 1.
  public static func install(_ handler: @escaping @Sendable (Int32) -> Void) {
    signalEventFD = eventfd(0, Int32(EFD_CLOEXEC))
    precondition(signalEventFD >= 0, "eventfd failed with errno \(errno)")
    for number in [SIGTERM, SIGINT] {
      signal(number) { received in
        lastSignal = received
        var one: UInt64 = 1
        _ = write(signalEventFD, &one, 8)
      }
    }
    let box = Unmanaged.passRetained(HandlerBox(handler))
    var thread = pthread_t()
    let created = pthread_create(
      &thread, nil,
      { argument in
        let handler = Unmanaged<HandlerBox>.fromOpaque(argument!).takeRetainedValue().handler
        SignalWatcher.waitForSignal()
        let received = lastSignal
        Logger(component: "rpc").info("signal received, shutting down", ["signal": received])
        var second = pthread_t()
        pthread_create(
          &second, nil,
          { _ in
            SignalWatcher.waitForSignal()
            Logger(component: "rpc").warning(
              "second signal received, exiting now",
              [
                "signal": lastSignal
              ])
            exit(1)
          }, nil)
        handler(received)
        return nil
      }, box.toOpaque())
    precondition(created == 0, "pthread_create failed with \(created)")
  }

  /// Blocks until the handler wrote to the eventfd.
  fileprivate static func waitForSignal() {
    var value: UInt64 = 0
    while read(signalEventFD, &value, 8) < 0 && errno == EINTR {}
  }

  private final class HandlerBox {
    let handler: @Sendable (Int32) -> Void
    init(_ handler: @escaping @Sendable (Int32) -> Void) { self.handler = handler }
  }
}

extension RPCServer {
  /// Waits for SIGTERM or SIGINT, then shuts down gracefully (GOAWAY, in-flight calls finish
  /// within the grace period) and returns.
  public func runUntilSignalled() async {
    let stopped = Promise<Int32>()
    SignalWatcher.install { signal in stopped.fulfil(signal) }
    _ = await stopped.value
    await shutdown()
  }
}
