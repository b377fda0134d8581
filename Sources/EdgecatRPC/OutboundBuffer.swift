import CNGHTTP2
import Synchronization

/// Framed messages waiting to leave on one stream, and how the stream ends. The writer (a
/// handler or a client call, on any thread) appends; nghttp2's data source callback reads on the
/// loop thread. Writers wait while more than `highWater` bytes are queued. Thread-safe.
final class OutboundBuffer: Sendable {
  enum End: Sendable {
    /// END_STREAM on the last DATA frame, as a client ends its requests.
    case endStream
    /// A HEADERS frame of trailers after the data, as a server ends a call.
    case trailers([(String, String)])
  }

  private struct State {
    var chunks: [[UInt8]] = []
    var head = 0
    var headOffset = 0
    var queuedBytes = 0
    var end: End?
    /// The data source returned NGHTTP2_ERR_DEFERRED and needs `nghttp2_session_resume_data`.
    var deferred = false
    var failure: RPCError?
    var bytesRead = 0
    var spaceWaiters: [CheckedContinuation<Void, any Error>] = []
  }

  private let state = Mutex(State())
  let highWater: Int

  init(highWater: Int = 1 << 20) {
    self.highWater = highWater
  }

  /// Queues framed bytes. Returns true when the caller must resume the stream's data source.
  func append(_ bytes: [UInt8]) throws(RPCError) -> Bool {
    try state.withLock { state throws(RPCError) -> Bool in
      if let failure = state.failure { throw failure }
      guard state.end == nil else {
        throw RPCError(.internal, "a message was sent after the end of the stream")
      }
      state.chunks.append(bytes)
      state.queuedBytes += bytes.count
      return takeDeferred(&state)
    }
  }

  /// Sets how the stream ends after the queued bytes. Returns true when the caller must resume
  /// the data source. Only the first call counts.
  func finish(_ end: End) -> Bool {
    state.withLock { state in
      guard state.end == nil, state.failure == nil else { return false }
      state.end = end
      return takeDeferred(&state)
    }
  }

  var isFinished: Bool { state.withLock { $0.end != nil } }

  var isEmpty: Bool { state.withLock { $0.queuedBytes == 0 } }

  /// True once nghttp2 took any bytes for a DATA frame; such a stream cannot be sent again.
  var hasStartedSending: Bool { state.withLock { $0.bytesRead > 0 } }

  /// Fails every waiting and later writer with `error`: the stream is gone.
  func fail(_ error: RPCError) {
    let waiters = state.withLock { state -> [CheckedContinuation<Void, any Error>] in
      if state.failure == nil { state.failure = error }
      let waiters = state.spaceWaiters
      state.spaceWaiters = []
      return waiters
    }
    for waiter in waiters { waiter.resume(throwing: error) }
  }

  /// Waits until the queue is below its high-water mark.
  func waitForSpace() async throws {
    let ready = try state.withLock { state throws -> Bool in
      if let failure = state.failure { throw failure }
      return state.queuedBytes < highWater
    }
    if ready { return }
    try await withCheckedThrowingContinuation {
      (continuation: CheckedContinuation<Void, any Error>) in
      let immediate: Result<Void, RPCError>? = state.withLock { state in
        if let failure = state.failure { return .failure(failure) }
        if state.queuedBytes < highWater { return .success(()) }
        state.spaceWaiters.append(continuation)
        return nil
      }
      if let immediate { continuation.resume(with: immediate) }
    }
  }

  private func takeDeferred(_ state: inout State) -> Bool {
    let wasDeferred = state.deferred
    state.deferred = false
    return wasDeferred
  }

  /// Copies up to `capacity` bytes for one DATA frame. Loop thread only, from the data source.
  /// Returns the count copied and, once everything queued has been read, how the stream ends.
  /// A count of 0 without an end means the source is deferred.
  func read(into destination: UnsafeMutablePointer<UInt8>, capacity: Int) -> (Int, End?) {
    var waiters: [CheckedContinuation<Void, any Error>] = []
    let result = state.withLock { state -> (Int, End?) in
      var copied = 0
      while copied < capacity, state.head < state.chunks.count {
        let chunk = state.chunks[state.head]
        let available = chunk.count - state.headOffset
        let count = min(available, capacity - copied)
        chunk.withUnsafeBufferPointer { source in
          (destination + copied).update(from: source.baseAddress! + state.headOffset, count: count)
        }
        copied += count
        state.headOffset += count
        if state.headOffset == chunk.count {
          state.head += 1
          state.headOffset = 0
        }
      }
      if state.head == state.chunks.count {
        state.chunks.removeAll(keepingCapacity: true)
        state.head = 0
      }
      state.queuedBytes -= copied
      state.bytesRead += copied
      if state.queuedBytes < highWater && !state.spaceWaiters.isEmpty {
        waiters = state.spaceWaiters
        state.spaceWaiters = []
      }
      if state.queuedBytes == 0, let end = state.end { return (copied, end) }
      if copied == 0 { state.deferred = true }
      return (copied, nil)
    }
    for waiter in waiters { waiter.resume() }
    return result
  }
}

/// nghttp2's data source callback for every stream: `source.ptr` is the stream's OutboundBuffer,
/// unretained, which the stream keeps alive until nghttp2 closes it.
let outboundReadCallback: nghttp2_data_source_read_callback = {
  session, streamID, destination, capacity, flags, source, _ in
  let buffer = Unmanaged<OutboundBuffer>.fromOpaque(source!.pointee.ptr).takeUnretainedValue()
  let (count, end) = buffer.read(into: destination!, capacity: capacity)
  guard let end else {
    return count == 0 ? ssize_t(NGHTTP2_ERR_DEFERRED.rawValue) : count
  }
  flags!.pointee |= UInt32(NGHTTP2_DATA_FLAG_EOF.rawValue)
  if case .trailers(let trailers) = end {
    flags!.pointee |= UInt32(NGHTTP2_DATA_FLAG_NO_END_STREAM.rawValue)
    let result = HeaderList.withHeaders(trailers) { list, length in
      nghttp2_submit_trailer(session, streamID, list, length)
    }
    // A trailer block nghttp2 cannot take resets this stream only, not the connection.
    if result != 0 { return ssize_t(NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE.rawValue) }
  }
  return count
}
