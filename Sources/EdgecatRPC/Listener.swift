import CLinux
import EdgecatLog
import Glibc

/// The listening socket; accepted connections go to the server. Loop thread only.
final class Listener: EventSource {
  let fd: Int32
  let server: RPCServer
  let loop: EventLoop
  private var stopped = false
  private var paused = false
  private var failures = 0
  private var nextFailureLog: UInt64 = 0

  init(fd: Int32, server: RPCServer, loop: EventLoop) {
    self.fd = fd
    self.server = server
    self.loop = loop
  }

  func handleEvents(_ events: UInt32) {
    while !stopped && !paused {
      let client = clinux_accept_nonblocking(fd)
      if client < 0 {
        if errno == EINTR { continue }
        if errno == EAGAIN || errno == EWOULDBLOCK { return }
        acceptFailed(errno)
        return
      }
      server.accepted(client)
    }
  }

  /// Stops accepting for 100 ms after a failure such as EMFILE, which would otherwise repeat
  /// on every wakeup while the backlog waits, and logs at most one line per second.
  private func acceptFailed(_ code: Int32) {
    failures += 1
    let now = MonotonicClock.now()
    if now >= nextFailureLog {
      server.logger.error(
        "accept failed, pausing accepts for 100 ms",
        ["errno": code, "error": String(cString: strerror(code)), "failures": failures])
      failures = 0
      nextFailureLog = now + 1_000_000_000
    }
    paused = true
    loop.unregister(fd)
    loop.schedule(at: now + 100_000_000) { [self] in
      guard !stopped else { return }
      paused = false
      loop.register(fd, self, events: clinux_epollin())
      handleEvents(clinux_epollin())
    }
  }

  func flush() {}

  func stop() {
    guard !stopped else { return }
    stopped = true
    if !paused { loop.unregister(fd) }
    close(fd)
  }
}
