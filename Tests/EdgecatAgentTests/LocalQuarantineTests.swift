import EdgecatCore
import EdgecatProto
import EdgecatRPC
import Testing

@testable import EdgecatAgent

@Suite("Local quarantine calls")
struct LocalQuarantineTests {
  /// Starts a local service whose spool has records 1 to 6, with 2, 4 and 5 in quarantine.
  static func fixture() async throws -> LocalServiceFixture {
    let fixture = try await LocalServiceFixture(running: LocalServiceTests.model)
    let _: Edgecat_Agent_V1_LogInferenceResponse = try await fixture.call(
      "LogInference", LocalServiceTests.request(6))
    for seq: UInt64 in [2, 4, 5] {
      let batch = try await fixture.spool.pending(
        afterSeq: seq - 1, afterLabelID: Int64.max, limit: 1)
      _ = try await fixture.spool.quarantine(
        batch, statusCode: 3, message: "record seq \(seq): confidence is out of range")
    }
    return fixture
  }

  static func list(_ fixture: LocalServiceFixture, pageSize: Int32, token: String = "")
    async throws -> Edgecat_Agent_V1_ListQuarantinedResponse
  {
    var request = Edgecat_Agent_V1_ListQuarantinedRequest()
    request.pageSize = pageSize
    request.pageToken = token
    return try await fixture.call("ListQuarantined", request)
  }

  @Test("ListQuarantined pages through the records")
  func listPages() async throws {
    let fixture = try await Self.fixture()
    let first = try await Self.list(fixture, pageSize: 2)
    #expect(first.records.map(\.seq) == [2, 4])
    #expect(first.nextPageToken == "records/4")
    #expect(first.records.allSatisfy { $0.epoch == fixture.spool.epoch })
    #expect(first.records.allSatisfy { $0.modelFullName == "main.ml.defects" })
    #expect(first.records.allSatisfy { $0.modelVersion == 4 })
    #expect(first.records.allSatisfy { $0.statusCode == 3 })
    #expect(first.records[0].statusMessage == "record seq 2: confidence is out of range")
    #expect(first.records.allSatisfy { $0.quarantinedMs > 0 })
    #expect(first.records[0].timestampMs == 1_700_000_000_001)

    let second = try await Self.list(fixture, pageSize: 2, token: first.nextPageToken)
    #expect(second.records.map(\.seq) == [5])
    #expect(second.labels.isEmpty)
    #expect(second.nextPageToken == "")

    let whole = try await Self.list(fixture, pageSize: 0)
    #expect(whole.records.map(\.seq) == [2, 4, 5])
    await fixture.stop()
  }

  @Test(
    "ListQuarantined rejects bad page sizes and tokens",
    arguments: [(-1, ""), (10, "records/x"), (10, "labels/-2"), (10, "pages/1")])
  func listRejectsBadInput(pageSize: Int32, token: String) async throws {
    let fixture = try await Self.fixture()
    await #expect {
      _ = try await Self.list(fixture, pageSize: pageSize, token: token)
    } throws: { error in
      let error = error as? RPCError
      let value = token.isEmpty ? "page_size \(pageSize)" : "page_token \"\(token)\""
      return error?.code == .invalidArgument && error?.message.contains(value) == true
    }
    await fixture.stop()
  }

  @Test("ListQuarantined clamps large page sizes")
  func listClampsPageSize() async throws {
    let fixture = try await Self.fixture()
    let page = try await Self.list(fixture, pageSize: 5000)
    #expect(page.records.map(\.seq) == [2, 4, 5])
    #expect(page.nextPageToken == "")
    await fixture.stop()
  }

  @Test("ResendQuarantined and DiscardQuarantined return counts")
  func resendAndDiscard() async throws {
    let fixture = try await Self.fixture()
    var resend = Edgecat_Agent_V1_ResendQuarantinedRequest()
    resend.seqs = [4]
    let resent: Edgecat_Agent_V1_ResendQuarantinedResponse = try await fixture.call(
      "ResendQuarantined", resend)
    #expect(resent.records == 1)
    #expect(resent.labels == 0)
    #expect(fixture.spool.statistics.records == 4)
    #expect(fixture.spool.statistics.quarantined == 2)

    var discard = Edgecat_Agent_V1_DiscardQuarantinedRequest()
    discard.all = true
    let discarded: Edgecat_Agent_V1_DiscardQuarantinedResponse = try await fixture.call(
      "DiscardQuarantined", discard)
    #expect(discarded.records == 2)
    #expect(discarded.bytes == 2 * (64 + 15 + 4))
    #expect(fixture.spool.statistics.quarantined == 0)
    #expect(fixture.spool.statistics.bytes == 4 * (64 + 15 + 4))
    let listed = try await Self.list(fixture, pageSize: 10)
    #expect(listed.records.isEmpty)
    await fixture.stop()
  }

  @Test("unknown seqs are NOT_FOUND and name the seqs")
  func unknownSeqs() async throws {
    let fixture = try await Self.fixture()
    var request = Edgecat_Agent_V1_DiscardQuarantinedRequest()
    request.seqs = [2, 3, 6]
    await #expect {
      let _: Edgecat_Agent_V1_DiscardQuarantinedResponse = try await fixture.call(
        "DiscardQuarantined", request)
    } throws: { error in
      let error = error as? RPCError
      return error?.code == .notFound
        && error?.message.contains("no quarantined record has seq 3, 6;") == true
    }
    #expect(fixture.spool.statistics.quarantined == 3)
    await fixture.stop()
  }

  @Test("empty selection is INVALID_ARGUMENT")
  func emptySelection() async throws {
    let fixture = try await Self.fixture()
    await #expect {
      let _: Edgecat_Agent_V1_ResendQuarantinedResponse = try await fixture.call(
        "ResendQuarantined", Edgecat_Agent_V1_ResendQuarantinedRequest())
    } throws: { error in
      let error = error as? RPCError
      return error?.code == .invalidArgument
        && error?.message.contains("set all, or list the seqs") == true
    }
    await fixture.stop()
  }

  @Test("quarantine calls need the local token")
  func tokenRequired() async throws {
    let fixture = try await Self.fixture()
    await #expect {
      let _: Edgecat_Agent_V1_ListQuarantinedResponse = try await fixture.call(
        "ListQuarantined", Edgecat_Agent_V1_ListQuarantinedRequest(), token: "wrong-token")
    } throws: { error in
      (error as? RPCError)?.code == .unauthenticated
    }
    var discard = Edgecat_Agent_V1_DiscardQuarantinedRequest()
    discard.all = true
    await #expect {
      let _: Edgecat_Agent_V1_DiscardQuarantinedResponse = try await fixture.call(
        "DiscardQuarantined", discard, token: nil)
    } throws: { error in
      (error as? RPCError)?.code == .unauthenticated
    }
    #expect(fixture.spool.statistics.quarantined == 3)
    await fixture.stop()
  }
}
