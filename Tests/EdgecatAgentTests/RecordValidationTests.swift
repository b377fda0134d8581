import EdgecatAgent
import EdgecatCore
import EdgecatProto
import EdgecatRPC
import Testing

/// A record field set to a value telemetry rejects, and the start of the expected message.
struct BadField: Sendable, CustomTestStringConvertible {
  let message: String
  let change: @Sendable (inout Edgecat_Agent_V1_InferenceRecord) -> Void

  var testDescription: String { message }

  static let cases: [BadField] = [
    BadField(message: "records[1].input_hash 'zz' is not hex") { $0.inputHash = "zz" },
    BadField(message: "records[1].input_hash has 129 bytes") {
      $0.inputHash = String(repeating: "a", count: 129)
    },
    BadField(message: "records[1].confidence 7.0 is out of range") { $0.confidence = 7 },
    BadField(message: "records[1].confidence -0.1 is out of range") { $0.confidence = -0.1 },
    BadField(message: "records[1].confidence nan is out of range") { $0.confidence = .nan },
    BadField(message: "records[1].prediction nan is not a finite") { $0.prediction = .nan },
    BadField(message: "records[1].prediction inf is not a finite") { $0.prediction = .infinity },
    BadField(message: "records[1].latency_ms -1.0 is out of range") { $0.latencyMs = -1 },
    BadField(message: "records[1].latency_ms inf is out of range") { $0.latencyMs = .infinity },
    BadField(message: "records[1].label -inf is not a finite") { $0.label = -.infinity },
    BadField(message: "records[1].timestamp_ms -5 is out of range") { $0.timestampMs = -5 },
    BadField(message: "records[1].timestamp_ms 253402300800000 is out of range") {
      $0.timestampMs = InferenceRecordRules.endTimestampMilliseconds
    },
  ]
}

@Suite("LogInference validation")
struct RecordValidationTests {
  @Test("bad field is INVALID_ARGUMENT, stores nothing", arguments: BadField.cases)
  func rejectsBadField(bad: BadField) async throws {
    let fixture = try await LocalServiceFixture(running: LocalServiceTests.model)
    var request = LocalServiceTests.request(3)
    bad.change(&request.records[1])
    await #expect {
      let _: Edgecat_Agent_V1_LogInferenceResponse = try await fixture.call(
        "LogInference", request)
    } throws: { error in
      let error = error as? RPCError
      return error?.code == .invalidArgument && error?.message.hasPrefix(bad.message) == true
    }
    #expect(fixture.spool.statistics.records == 0)
    #expect(fixture.spool.statistics.bytes == 0)
    let pending = try await fixture.spool.pending(afterSeq: 0, afterLabelID: 0, limit: 10)
    #expect(pending.isEmpty)
    await fixture.stop()
  }

  @Test("message names the fix")
  func messageNamesFix() async throws {
    let fixture = try await LocalServiceFixture(running: LocalServiceTests.model)
    var request = LocalServiceTests.request(4)
    request.records[3].confidence = 7
    await #expect {
      let _: Edgecat_Agent_V1_LogInferenceResponse = try await fixture.call(
        "LogInference", request)
    } throws: { error in
      (error as? RPCError)?.message
        == "records[3].confidence 7.0 is out of range; send a value from 0 to 1 or leave it"
        + " unset"
    }
    await fixture.stop()
  }

  @Test("LogLabels rejects a label that is not finite")
  func rejectsInfiniteLabel() async throws {
    let fixture = try await LocalServiceFixture(running: LocalServiceTests.model)
    var request = Edgecat_Agent_V1_LogLabelsRequest()
    var label = Edgecat_Agent_V1_Label()
    label.epoch = fixture.spool.epoch
    label.seq = 1
    label.label = 1
    request.labels = [label, label]
    request.labels[1].label = .nan
    await #expect {
      let _: Edgecat_Agent_V1_LogLabelsResponse = try await fixture.call("LogLabels", request)
    } throws: { error in
      let error = error as? RPCError
      return error?.code == .invalidArgument
        && error?.message.hasPrefix("labels[1].label nan is not a finite number") == true
    }
    #expect(fixture.spool.statistics.labels == 0)
    await fixture.stop()
  }

  @Test("LogLabels rejects a seq above Int64.max")
  func rejectsHugeLabelSeq() async throws {
    let fixture = try await LocalServiceFixture(running: LocalServiceTests.model)
    var request = Edgecat_Agent_V1_LogLabelsRequest()
    var label = Edgecat_Agent_V1_Label()
    label.epoch = fixture.spool.epoch
    label.seq = UInt64(Int64.max) + 1
    label.label = 1
    request.labels = [label]
    await #expect {
      let _: Edgecat_Agent_V1_LogLabelsResponse = try await fixture.call("LogLabels", request)
    } throws: { error in
      let error = error as? RPCError
      return error?.code == .invalidArgument
        && error?.message.hasPrefix("labels[0].seq 9223372036854775808 is out of range") == true
    }
    #expect(fixture.spool.statistics.labels == 0)
    await fixture.stop()
  }

  @Test("running model telemetry would reject is FAILED_PRECONDITION")
  func rejectsBadRunningModel() async throws {
    let model = InstalledModel(
      modelFullName: "defects", version: 1, sha256: String(repeating: "a", count: 64),
      format: "onnx")
    let fixture = try await LocalServiceFixture(running: model)
    await #expect {
      let _: Edgecat_Agent_V1_LogInferenceResponse = try await fixture.call(
        "LogInference", LocalServiceTests.request(1))
    } throws: { error in
      (error as? RPCError)?.code == .failedPrecondition
    }
    #expect(fixture.spool.statistics.records == 0)
    await fixture.stop()
  }
}
