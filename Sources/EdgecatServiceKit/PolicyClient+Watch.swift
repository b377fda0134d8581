import EdgecatProto
import EdgecatRPC

extension PolicyClient {
  /// Follows the Watch stream until the task is cancelled, reconnecting after failures.
  func followChanges() async {
    var backoff: Duration = .milliseconds(50)
    while !Task.isCancelled {
      do {
        try await watchOnce()
        backoff = .milliseconds(50)
      } catch {
        markDisconnected()
        // A cancelled task is a client being closed, not a failure.
        if !Task.isCancelled { logFollowFailure(error) }
      }
      markDisconnected()
      try? await Task.sleep(for: backoff)
      backoff = min(backoff * 2, .seconds(2))
    }
  }

  private func watchOnce() async throws {
    var metadata = Metadata()
    metadata.add("authorization", "Bearer \(token)")
    let call: TypedCall<Edgecat_Policy_V1_WatchRequest, Edgecat_Policy_V1_WatchResponse> =
      rpcClient.makeCall("/edgecat.policy.v1.PolicyService/Watch", metadata: metadata)
    setWatchCall(call.call)
    defer { setWatchCall(nil) }
    var start = Edgecat_Policy_V1_WatchRequest()
    start.request = .startRevision(0)
    try await call.send(start)
    try await withTaskCancellationHandler {
      var announced = false
      for try await response in call.responses {
        if !announced {
          announced = true
          logFollowConnected()
          subscribers.publish(.connected)
        }
        switch response.event {
        case .change(let change)?:
          heard(revision: change.revision)
          subscribers.publish(.change(change))
          var acknowledgement = Edgecat_Policy_V1_WatchRequest()
          acknowledgement.request = .acknowledgedRevision(change.revision)
          try await call.send(acknowledgement)
        case .heartbeatRevision(let revision)?:
          heard(revision: revision)
        case nil:
          continue
        }
      }
    } onCancel: {
      call.cancel()
    }
    let status = await call.status
    if status.code != .ok { throw RPCError(status: status) }
  }
}
