import Synchronization

/// Messages received on one stream, waiting for the handler or the caller that reads them.
/// The event loop pushes; one reader pops. Thread-safe.
final class MessageQueue: Sendable {
  private struct State {
    var messages: [[UInt8]] = []
    var head = 0
    var end: Result<Void, RPCError>?
    var waiter: CheckedContinuation<[UInt8]?, any Error>?
    /// Bytes of messages pushed but not yet popped, prefixes included.
    var bufferedBytes = 0
  }

  private let state = Mutex(State())
  /// Called off the loop after each pop with the bytes that left the queue.
  private let onPop: @Sendable (Int) -> Void

  init(onPop: @escaping @Sendable (Int) -> Void = { _ in }) {
    self.onPop = onPop
  }

  var bufferedBytes: Int { state.withLock { $0.bufferedBytes } }

  func push(_ message: [UInt8]) {
    let waiter = state.withLock { state -> CheckedContinuation<[UInt8]?, any Error>? in
      guard state.end == nil else { return nil }
      if let waiter = state.waiter {
        state.waiter = nil
        return waiter
      }
      state.messages.append(message)
      state.bufferedBytes += message.count + 5
      return nil
    }
    if let waiter {
      waiter.resume(returning: message)
      onPop(message.count + 5)
    }
  }

  /// Ends the queue: readers get the remaining messages, then nil or the error.
  func finish(_ result: Result<Void, RPCError> = .success(())) {
    let waiter = state.withLock { state -> CheckedContinuation<[UInt8]?, any Error>? in
      if state.end == nil { state.end = result }
      let waiter = state.waiter
      state.waiter = nil
      return waiter
    }
    switch result {
    case .success: waiter?.resume(returning: nil)
    case .failure(let error): waiter?.resume(throwing: error)
    }
  }

  /// Returns the next message, nil at the end, or throws the error the queue ended with.
  func pop() async throws -> [UInt8]? {
    let popped: (message: [UInt8]?, end: Result<Void, RPCError>?) = state.withLock { state in
      if state.head < state.messages.count {
        let message = state.messages[state.head]
        state.head += 1
        state.bufferedBytes -= message.count + 5
        if state.head == state.messages.count {
          state.messages.removeAll(keepingCapacity: true)
          state.head = 0
        }
        return (message, nil)
      }
      return (nil, state.end)
    }
    if let message = popped.message {
      onPop(message.count + 5)
      return message
    }
    if let end = popped.end {
      if case .failure(let error) = end { throw error }
      return nil
    }
    return try await withTaskCancellationHandler {
      try await withCheckedThrowingContinuation { continuation in
        let immediate: Result<[UInt8]?, any Error>? = state.withLock { state in
          if state.head < state.messages.count {
            let message = state.messages[state.head]
            state.head += 1
            state.bufferedBytes -= message.count + 5
            return .success(message)
          }
          if let end = state.end {
            switch end {
            case .success: return .success(nil)
            case .failure(let error): return .failure(error)
            }
          }
          if Task.isCancelled { return .failure(CancellationError()) }
          state.waiter = continuation
          return nil
        }
        if let immediate {
          if case .success(let message?) = immediate { onPop(message.count + 5) }
          continuation.resume(with: immediate)
        }
      }
    } onCancel: {
      // A reader whose task is cancelled stops waiting, as when a handler's other work ended.
      let waiter = state.withLock { state -> CheckedContinuation<[UInt8]?, any Error>? in
        let waiter = state.waiter
        state.waiter = nil
        return waiter
      }
      waiter?.resume(throwing: CancellationError())
    }
  }
}

/// The messages of a call, in the order they arrived: the requests a server handler reads, or
/// the responses a client reads.
public struct MessageStream: AsyncSequence, Sendable {
  public typealias Element = [UInt8]
  let queue: MessageQueue

  public struct AsyncIterator: AsyncIteratorProtocol, Sendable {
    let queue: MessageQueue

    public mutating func next() async throws -> [UInt8]? { try await queue.pop() }
  }

  public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(queue: queue) }
}
