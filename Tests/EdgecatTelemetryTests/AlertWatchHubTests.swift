import EdgecatProto
import Testing

@testable import EdgecatTelemetry

@Suite struct AlertWatchHubTests {
  static func transitions(_ ids: ClosedRange<Int64>) -> [Edgecat_Telemetry_V1_AlertTransition] {
    ids.map { id in
      var transition = Edgecat_Telemetry_V1_AlertTransition()
      transition.transitionID = id
      return transition
    }
  }

  @Test func replayingWatchQueuesThenSkipsSent() async {
    let hub = AlertWatchHub()
    let (stream, continuation) = AsyncStream.makeStream(
      of: Edgecat_Telemetry_V1_AlertTransition.self)
    let key = hub.add(continuation, replaying: true, lastSent: 2)
    // Published while the watch reads stored transitions, which reach id 4.
    hub.publish(Self.transitions(4...5))
    hub.finishReplay(key, lastSent: 4)
    hub.publish(Self.transitions(5...6))
    hub.remove(key)
    continuation.finish()

    var ids: [Int64] = []
    for await transition in stream { ids.append(transition.transitionID) }
    #expect(ids == [5, 6])
  }

  @Test func removedWatchGetsNothing() async {
    let hub = AlertWatchHub()
    let (stream, continuation) = AsyncStream.makeStream(
      of: Edgecat_Telemetry_V1_AlertTransition.self)
    let key = hub.add(continuation, replaying: false, lastSent: 0)
    hub.publish(Self.transitions(1...1))
    hub.remove(key)
    hub.publish(Self.transitions(2...2))
    continuation.finish()

    var ids: [Int64] = []
    for await transition in stream { ids.append(transition.transitionID) }
    #expect(ids == [1])
  }
}
