import EdgecatAgent
import EdgecatCore
import EdgecatProto
import EdgecatRPC
import EdgecatStore
import EdgecatTestSupport
import Synchronization
import Testing

/// A model source with a fixed running model, for the local service without a registry.
final class FixedModels: ModelSource {
  let assignments = AssignmentBroadcaster()
  let running: InstalledModel?
  let confirmations = Mutex<[UInt64]>([])

  init(running: InstalledModel?) {
    self.running = running
  }

  var runningModel: InstalledModel? { running }

  func modelLoaded(generation: UInt64, loaded: Bool, message: String) async throws(ServiceError) {
    confirmations.withLock { $0.append(generation) }
  }
}

/// The local service over a fresh spool on a loopback port.
struct LocalServiceFixture {
  static let token = "local-secret-token"
  let folder = TemporaryDirectory()
  let store: Store
  let spool: Spool
  let server: RPCServer
  let client: RPCClient

  init(running: InstalledModel?, maximumBytes: Int64 = 1 << 20) async throws {
    store = try await AgentDatabase.open(dataDirectory: folder.path)
    spool = try await Spool.open(store: store, maximumBytes: maximumBytes)
    let service = AgentService(
      spool: spool, models: FixedModels(running: running), localToken: Self.token)
    server = RPCServer(services: [service])
    let port = try server.start(listeningOn: Endpoint(host: "127.0.0.1", port: 0))
    client = RPCClient(endpoint: Endpoint(host: "127.0.0.1", port: port))
  }

  func call<Request: ProtoMessage, Response: ProtoMessage>(
    _ method: String, _ request: Request, token: String? = LocalServiceFixture.token
  ) async throws(RPCError) -> Response {
    var metadata = Metadata()
    if let token { metadata.add("authorization", "Bearer \(token)") }
    return try await client.unary(
      "/edgecat.agent.v1.AgentService/\(method)", request, metadata: metadata,
      timeout: .seconds(10))
  }

  func stop() async {
    client.close()
    await server.shutdown()
    store.close()
    folder.remove()
  }
}

@Suite("Local agent service")
struct LocalServiceTests {
  static let model = InstalledModel(
    modelFullName: "main.ml.defects", version: 4, sha256: String(repeating: "a", count: 64),
    format: "onnx")

  static func request(_ count: Int, model: String = "") -> Edgecat_Agent_V1_LogInferenceRequest {
    var request = Edgecat_Agent_V1_LogInferenceRequest()
    request.modelFullName = model
    request.records = (0..<count).map { index in
      var record = Edgecat_Agent_V1_InferenceRecord()
      record.timestampMs = 1_700_000_000_000 + Int64(index)
      record.prediction = Double(index % 2)
      record.confidence = 0.8
      record.latencyMs = 3
      record.inputHash = "ff00"
      return record
    }
    return request
  }

  @Test("calls without the local token are UNAUTHENTICATED", arguments: [nil, "wrong-token"])
  func tokenRequired(token: String?) async throws {
    let fixture = try await LocalServiceFixture(running: Self.model)
    await #expect {
      let _: Edgecat_Agent_V1_LogInferenceResponse = try await fixture.call(
        "LogInference", Self.request(1), token: token)
    } throws: { error in
      (error as? RPCError)?.code == .unauthenticated
    }
    await #expect {
      let _: Edgecat_Agent_V1_ModelLoadedResponse = try await fixture.call(
        "ModelLoaded", Edgecat_Agent_V1_ModelLoadedRequest(), token: token)
    } throws: { error in
      (error as? RPCError)?.code == .unauthenticated
    }
    #expect(fixture.spool.statistics.records == 0)
    await fixture.stop()
  }

  @Test("LogInference fills epoch, seq, model and version")
  func fillsIdentity() async throws {
    let fixture = try await LocalServiceFixture(running: Self.model)
    let first: Edgecat_Agent_V1_LogInferenceResponse = try await fixture.call(
      "LogInference", Self.request(3))
    let second: Edgecat_Agent_V1_LogInferenceResponse = try await fixture.call(
      "LogInference", Self.request(1, model: "MAIN.ml.defects"))
    #expect(first.acks.map(\.seq) == [1, 2, 3])
    #expect(second.acks.map(\.seq) == [4])
    #expect(first.acks.allSatisfy { $0.epoch == fixture.spool.epoch })
    #expect(first.acks.allSatisfy { $0.modelFullName == "main.ml.defects" })
    #expect(first.acks.allSatisfy { $0.modelVersion == 4 })
    let pending = try await fixture.spool.pending(afterSeq: 0, afterLabelID: 0, limit: 10)
    #expect(pending.records.count == 4)
    #expect(pending.records.allSatisfy { $0.modelVersion == 4 })
    #expect(pending.records[0].confidence == 0.8)
    #expect(pending.records[0].label == nil)
    await fixture.stop()
  }

  @Test("LogInference needs a running model and its name")
  func modelChecks() async throws {
    let idle = try await LocalServiceFixture(running: nil)
    await #expect {
      let _: Edgecat_Agent_V1_LogInferenceResponse = try await idle.call(
        "LogInference", Self.request(1))
    } throws: { error in
      (error as? RPCError)?.code == .failedPrecondition
    }
    await idle.stop()

    let fixture = try await LocalServiceFixture(running: Self.model)
    await #expect {
      let _: Edgecat_Agent_V1_LogInferenceResponse = try await fixture.call(
        "LogInference", Self.request(1, model: "main.ml.other"))
    } throws: { error in
      let error = error as? RPCError
      return error?.code == .invalidArgument && error?.message.contains("main.ml.other") == true
    }
    var bad = Self.request(1)
    bad.records[0].latencyMs = -.infinity
    await #expect {
      let _: Edgecat_Agent_V1_LogInferenceResponse = try await fixture.call("LogInference", bad)
    } throws: { error in
      (error as? RPCError)?.code == .invalidArgument
    }
    #expect(fixture.spool.statistics.records == 0)
    await fixture.stop()
  }

  @Test("full spool is RESOURCE_EXHAUSTED and stores nothing")
  func fullSpool() async throws {
    // Each record counts 64 + 15 + 4 = 83 bytes.
    let fixture = try await LocalServiceFixture(running: Self.model, maximumBytes: 83 * 5)
    let _: Edgecat_Agent_V1_LogInferenceResponse = try await fixture.call(
      "LogInference", Self.request(4))
    await #expect {
      let _: Edgecat_Agent_V1_LogInferenceResponse = try await fixture.call(
        "LogInference", Self.request(2))
    } throws: { error in
      let error = error as? RPCError
      return error?.code == .resourceExhausted
        && error?.message.contains("--spool-max-bytes") == true
    }
    #expect(fixture.spool.statistics.records == 4)
    #expect(fixture.spool.statistics.full)
    await fixture.stop()
  }

  @Test("LogLabels stores labels and checks their identity")
  func labels() async throws {
    let fixture = try await LocalServiceFixture(running: Self.model)
    var request = Edgecat_Agent_V1_LogLabelsRequest()
    var label = Edgecat_Agent_V1_Label()
    label.epoch = fixture.spool.epoch
    label.seq = 7
    label.label = 1
    request.labels = [label]
    let response: Edgecat_Agent_V1_LogLabelsResponse = try await fixture.call(
      "LogLabels", request)
    #expect(response.stored == 1)
    request.labels[0].epoch = "not-an-epoch"
    await #expect {
      let _: Edgecat_Agent_V1_LogLabelsResponse = try await fixture.call("LogLabels", request)
    } throws: { error in
      (error as? RPCError)?.code == .invalidArgument
    }
    #expect(fixture.spool.statistics.labels == 1)
    await fixture.stop()
  }
}
