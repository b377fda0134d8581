import EdgecatStore
import EdgecatTelemetry
import Testing

@Suite("Query plans over the inference log") struct QueryPlanTests {
  /// Returns the plan's detail lines for `sql` on a new connection to the fixture's database.
  static func plan(_ sql: String, in fixture: TelemetryEngineFixture) throws -> [String] {
    let database = try Database(path: fixture.path, readOnly: true)
    defer { database.close() }
    return try database.query("EXPLAIN QUERY PLAN " + sql).map { row in
      if case .text(let detail) = row["detail"] { return detail }
      return ""
    }
  }

  @Test("time range grouped by device reads the timestamp index")
  func timeRangeUsesTimestampIndex() async throws {
    let fixture = try await TelemetryEngineFixture.start()
    defer { Task { await fixture.stop() } }

    let plan = try Self.plan(
      "SELECT device_id, model_version, COUNT(*), AVG(confidence) FROM inference_logs"
        + " WHERE timestamp > '2030-01-07 11:00:00' GROUP BY device_id, model_version",
      in: fixture)

    #expect(plan.contains { $0.contains("USING INDEX inference_logs_by_timestamp") })
  }

  @Test("lookup by device reads the identity index")
  func deviceLookupUsesIdentityIndex() async throws {
    let fixture = try await TelemetryEngineFixture.start()
    defer { Task { await fixture.stop() } }

    let plan = try Self.plan(
      "SELECT COUNT(*) FROM inference_logs WHERE device_id = 'cam-1'", in: fixture)

    #expect(plan.contains { $0.contains("inference_logs_by_identity (device_id=?)") })
  }
}
