import CLinux
import CNGHTTP2
import EdgecatLog
import Glibc

/// The socket side of one HTTP/2 connection, shared by servers and clients: reads feed
/// `nghttp2_session_mem_recv`, and `flush` drains `nghttp2_session_mem_send` into one buffer that
/// leaves in as few writes as the socket accepts. Confined to its event loop's thread.
class HTTP2Connection: EventSource {
  let loop: EventLoop
  let fd: Int32
  let peer: String
  let logger: Logger
  /// The nghttp2 session; subclasses create it in their initialiser and own it.
  var session: OpaquePointer!
  /// The allocator of `session`, released only after `deinit` deleted the session.
  let sessionMemory = SessionMemory()
  private(set) var isClosed = false
  /// Closes the socket once all queued output is written.
  var closeWhenFlushed = false
  /// The peer has sent at least one byte.
  private(set) var hasReceivedBytes = false
  // Loop thread only, so the output buffer skips the runtime's exclusivity checks.
  @exclusivity(unchecked) private var output: [UInt8] = []
  @exclusivity(unchecked) private var outputOffset = 0
  private var watchingWritable = false
  private static let outputHighWater = 1 << 20

  init(loop: EventLoop, fd: Int32, peer: String, logger: Logger) {
    self.loop = loop
    self.fd = fd
    self.peer = peer
    self.logger = logger
  }

  deinit {
    if let session { nghttp2_session_del(session) }
  }

  /// Registers the socket with the loop. Loop thread only.
  func activate(waitForConnect: Bool = false) {
    let events = clinux_epollin() | clinux_epollrdhup() | (waitForConnect ? clinux_epollout() : 0)
    watchingWritable = waitForConnect
    loop.register(fd, self, events: events)
  }

  func handleEvents(_ events: UInt32) {
    if events & clinux_epollout() != 0 {
      if !socketWritable() { return }
      writeOutput()
    }
    if events & (clinux_epollin() | clinux_epollhup() | clinux_epollerr() | clinux_epollrdhup())
      != 0
    {
      readInput()
    }
  }

  /// Called when the socket first reports writable; clients finish their connect here.
  /// Returns false when the connection closed.
  func socketWritable() -> Bool { true }

  private func readInput() {
    let buffer = loop.readBuffer
    while !isClosed {
      let count = read(fd, buffer.baseAddress, buffer.count)
      if count == 0 {
        close(reason: "peer closed the connection")
        return
      }
      if count < 0 {
        if errno == EAGAIN || errno == EWOULDBLOCK { break }
        if errno == EINTR { continue }
        close(reason: "read failed: \(String(cString: strerror(errno)))")
        return
      }
      hasReceivedBytes = true
      let consumed = nghttp2_session_mem_recv(
        session, buffer.baseAddress!.assumingMemoryBound(to: UInt8.self), count)
      if consumed < 0 {
        protocolError(code: Int32(consumed))
        return
      }
      if count < buffer.count { break }
    }
    loop.scheduleFlush(self)
  }

  /// Sends a GOAWAY for an input nghttp2 rejected, then closes once it is out.
  func protocolError(code: Int32) {
    let reason = String(cString: nghttp2_strerror(code))
    logger.debug("closing connection after a protocol error", ["peer": peer, "error": reason])
    if code == NGHTTP2_ERR_BAD_CLIENT_MAGIC.rawValue {
      close(reason: "the client did not send the HTTP/2 preface")
      return
    }
    nghttp2_session_terminate_session(session, UInt32(NGHTTP2_PROTOCOL_ERROR.rawValue))
    flush()
    close(reason: "protocol error: \(reason)")
  }

  func flush() {
    guard !isClosed else { return }
    while output.count - outputOffset < Self.outputHighWater {
      var chunk: UnsafePointer<UInt8>?
      let length = nghttp2_session_mem_send(session, &chunk)
      if length < 0 {
        close(
          reason:
            "nghttp2_session_mem_send failed: \(String(cString: nghttp2_strerror(Int32(length))))")
        return
      }
      if length == 0 { break }
      output.append(contentsOf: UnsafeBufferPointer(start: chunk, count: length))
    }
    writeOutput()
    guard !isClosed, output.isEmpty else { return }
    if closeWhenFlushed {
      close(reason: "shutdown")
    } else if nghttp2_session_want_read(session) == 0 && nghttp2_session_want_write(session) == 0 {
      close(reason: "session finished")
    }
  }

  private func writeOutput() {
    while outputOffset < output.count {
      // MSG_NOSIGNAL: a peer that has gone away makes send fail with EPIPE instead of
      // raising SIGPIPE, whose default action ends the process.
      let written = output.withUnsafeBytes {
        send(fd, $0.baseAddress! + outputOffset, output.count - outputOffset, Int32(MSG_NOSIGNAL))
      }
      if written < 0 {
        if errno == EINTR { continue }
        if errno == EAGAIN || errno == EWOULDBLOCK { break }
        close(reason: "write failed: \(String(cString: strerror(errno)))")
        return
      }
      outputOffset += written
    }
    if outputOffset == output.count {
      output.removeAll(keepingCapacity: output.capacity <= Self.outputHighWater)
      outputOffset = 0
      if nghttp2_session_want_write(session) != 0 {
        // nghttp2 held frames back while the buffer was full.
        loop.scheduleFlush(self)
      }
    }
    let needWritable = outputOffset < output.count
    if needWritable != watchingWritable {
      watchingWritable = needWritable
      let events = clinux_epollin() | clinux_epollrdhup() | (needWritable ? clinux_epollout() : 0)
      loop.modify(fd, events: events)
    }
  }

  /// Closes the socket and calls `connectionClosed`. Safe to call more than once.
  func close(reason: String) {
    guard !isClosed else { return }
    isClosed = true
    loop.unregister(fd)
    Glibc.close(fd)
    logger.debug("connection closed", ["peer": peer, "reason": reason])
    connectionClosed(reason: reason)
  }

  /// Subclasses end their streams here. Loop thread only.
  func connectionClosed(reason: String) {}
}
