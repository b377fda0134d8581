import EdgecatProto
import Synchronization

/// `grpc.health.v1.Health`: Check returns a service's serving status, Watch streams it as it
/// changes. The empty service name stands for the whole server. Thread-safe.
public final class HealthService: RPCService {
  public typealias Status = Grpc_Health_V1_HealthCheckResponse.ServingStatus

  private struct State {
    var statuses: [String: Status] = [:]
    var watchers: [UInt64: (service: String, continuation: AsyncStream<Status>.Continuation)] = [:]
    var nextWatcher: UInt64 = 0
  }

  private let state = Mutex(State())

  /// Starts with the whole server and each of `services` SERVING.
  public init(servingServices services: [String] = []) {
    state.withLock { state in
      state.statuses[""] = .serving
      for service in services { state.statuses[service] = .serving }
    }
  }

  public var serviceName: String { "grpc.health.v1.Health" }

  public var methods: [RPCMethod] {
    [
      .unary("/grpc.health.v1.Health/Check") {
        [self] (request: Grpc_Health_V1_HealthCheckRequest, _) in
        guard let status = status(of: request.service) else {
          throw RPCError(.notFound, "service \"\(request.service)\" is not known to this server")
        }
        var response = Grpc_Health_V1_HealthCheckResponse()
        response.status = status
        return response
      },
      .serverStreaming("/grpc.health.v1.Health/Watch") {
        [self]
        (
          request: Grpc_Health_V1_HealthCheckRequest,
          writer: ResponseStreamWriter<Grpc_Health_V1_HealthCheckResponse>, _
        ) in
        try await watch(request.service, writer)
      },
    ]
  }

  /// Sets a service's status and sends it to the service's watchers.
  public func setStatus(_ status: Status, for service: String) {
    let watchers = state.withLock { state in
      state.statuses[service] = status
      return state.watchers.values.filter { $0.service == service }.map(\.continuation)
    }
    for watcher in watchers { watcher.yield(status) }
  }

  /// Marks every service NOT_SERVING, as a server does when it starts shutting down.
  public func markAllNotServing() {
    let services = state.withLock { Array($0.statuses.keys) }
    for service in services { setStatus(.notServing, for: service) }
  }

  public func status(of service: String) -> Status? {
    state.withLock { $0.statuses[service] }
  }

  private func watch(
    _ service: String, _ writer: ResponseStreamWriter<Grpc_Health_V1_HealthCheckResponse>
  ) async throws {
    let (updates, continuation) = AsyncStream<Status>.makeStream(
      bufferingPolicy: .bufferingNewest(1))
    let (id, initial) = state.withLock { state in
      let id = state.nextWatcher
      state.nextWatcher += 1
      state.watchers[id] = (service, continuation)
      return (id, state.statuses[service] ?? .serviceUnknown)
    }
    defer { _ = state.withLock { $0.watchers.removeValue(forKey: id) } }
    var last = initial
    var response = Grpc_Health_V1_HealthCheckResponse()
    response.status = initial
    try await writer.write(response)
    try await withTaskCancellationHandler {
      for await status in updates where status != last {
        last = status
        response.status = status
        try await writer.write(response)
      }
    } onCancel: {
      continuation.finish()
    }
  }
}
