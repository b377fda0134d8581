import EdgecatProto
import Foundation
import Testing

@testable import EdgecatCLI

/// The telemetry nouns' parsing and rendering, called directly, without a telemetry service.
@Suite("Telemetry output")
struct TelemetryOutputTests {
  /// Two devices over four steps of 15 minutes; cam-2 has no records in the second step.
  static let chart = MetricsChart(
    start: TimeText.parse("2026-05-01 12:00:00")!, bucketSeconds: 900, bucketCount: 4,
    series: [
      (
        "cam-1",
        [
          .init(count: 10, p99LatencyMs: 10, meanConfidence: 0.9),
          .init(count: 10, p99LatencyMs: 20, meanConfidence: 0.8),
          .init(count: 10, p99LatencyMs: 30, meanConfidence: 0.7),
          .init(count: 10, p99LatencyMs: 40, meanConfidence: 0.6),
        ]
      ),
      (
        "cam-2",
        [
          .init(count: 5, p99LatencyMs: 40, meanConfidence: 0.95), nil,
          .init(count: 5, p99LatencyMs: 10, meanConfidence: 0.5),
          .init(count: 5, p99LatencyMs: 25, meanConfidence: 0.75),
        ]
      ),
    ])

  @Test("chart text draws a sparkline per device")
  func chartText() {
    let lines = Self.chart.text().split(separator: "\n").map(String.init)
    #expect(lines[0] == "2026-05-01 12:00:00 to 2026-05-01 13:00:00 UTC, 4 steps of 15m00s")
    #expect(lines.contains("  cam-1  ▁▃▆█  min 10.0  max 40.0  last 40.0"))
    #expect(lines.contains("  cam-2  █·▁▅  min 10.0  max 40.0  last 25.0"))
    #expect(lines.contains("  cam-2  █·▁▅  min 0.500  max 0.950  last 0.750"))
  }

  @Test("chart SVG has a line per run of points and a legend")
  func chartSVG() {
    let svg = Self.chart.svg()
    #expect(svg.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg "))
    #expect(svg.hasSuffix("</svg>\n"))
    // cam-1 has one run per panel; cam-2 has a lone first point and a run of two.
    #expect(svg.components(separatedBy: "<polyline").count - 1 == 4)
    #expect(svg.components(separatedBy: "<circle").count - 1 == 2)
    #expect(svg.contains(">cam-2</text>"))
    #expect(svg.contains(">p99 latency (ms)</text>"))
    #expect(svg.contains(">12:30</text>"))
    #expect(svg.contains(">37.5</text>"))
    #expect(svg.contains(">0.75</text>"))
  }

  @Test("chart JSON has null where a device had no records")
  func chartJSON() throws {
    let devices = try #require(Self.chart.json.arrayValue)
    #expect(devices.count == 2)
    let points = try #require(devices[1]["points"]?.arrayValue)
    #expect(points[1]["p99_latency_ms"]?.cellText == "")
    #expect(points[1]["count"]?.cellText == "0")
    #expect(points[1]["start"]?.cellText == "2026-05-01 12:15:00")
  }

  @Test(
    "times parse in service and RFC 3339 forms",
    arguments: [
      ("2026-05-01 12:00:00", 1_777_636_800.0), ("2026-05-01 12:00:00.250", 1_777_636_800.25),
      ("2026-05-01T12:00:00Z", 1_777_636_800.0), ("2026-05-01T14:00:00+02:00", 1_777_636_800.0),
    ])
  func timeParsing(text: String, seconds: Double) {
    #expect(TimeText.parse(text) == seconds)
  }

  @Test("bad times and durations are rejected")
  func badTimes() {
    #expect(TimeText.parse("2026-13-01 00:00:00") == nil)
    #expect(TimeText.parse("yesterday") == nil)
    #expect(TimeText.duration("15m") == 900)
    #expect(TimeText.duration("1x") == nil)
    #expect(TimeText.format(1_777_636_800) == "2026-05-01 12:00:00")
    #expect(TimeText.ago("2026-05-01 11:59:30", now: 1_777_636_800) == "30s ago")
    #expect(TimeText.ago("", now: 0) == "never")
  }

  @Test("numbers round for table cells")
  func numbers() {
    #expect(NumberText.fixed(12.3456, digits: 2) == "12.35")
    #expect(NumberText.fixed(-0.05, digits: 1) == "-0.1")
    #expect(NumberText.fixed(3, digits: 0) == "3")
    #expect(NumberText.percent(.real(0.9412)) == "94.1%")
    #expect(NumberText.percent(.null) == "-")
  }

  @Test("fleet summary counts devices by status")
  func fleetSummary() {
    var response = Edgecat_Telemetry_V1_GetFleetResponse()
    for status in [Edgecat_Telemetry_V1_DeviceStatus.running, .offline, .running] {
      var device = Edgecat_Telemetry_V1_FleetDevice()
      device.status = status
      response.devices.append(device)
    }
    response.offlineAfterSeconds = 3600
    #expect(
      FleetCommands.summary(response)
        == "\n3 devices: 2 running, 1 offline (offline after 3600 s without a heartbeat)\n")
  }

  @Test("query values become JSON")
  func queryValues() {
    var integer = Edgecat_Telemetry_V1_Value()
    integer.integerValue = 42
    var blob = Edgecat_Telemetry_V1_Value()
    blob.blobValue = [0x0a, 0xff]
    #expect(TelemetryJSON.value(integer).serialized() == "42")
    #expect(TelemetryJSON.value(blob).serialized() == "\"0aff\"")
    #expect(TelemetryJSON.value(Edgecat_Telemetry_V1_Value()).serialized() == "null")
  }

  @Test("query columns with dots print their values", arguments: ["avg(l.latency_ms)", "a.b"])
  func queryDottedColumns(column: String) {
    let result = QueryResult(
      columns: ["device_id", column], rows: [[.string("cam-1"), .real(12.5)]])
    let item = result.objects[0]
    #expect(TableColumn(column, header: column).cell(of: item) == "12.5")
  }

  @Test("repeated query column names keep every value")
  func repeatedColumnNames() {
    let result = QueryResult(
      columns: ["seq", "seq", "seq_2", "b", "seq"],
      rows: [[.integer(1), .integer(2), .integer(3), .integer(4), .integer(5)]])

    #expect(result.keys == ["seq", "seq_3", "seq_2", "b", "seq_4"])
    let item = result.objects[0]
    let cells = zip(result.keys, result.columns).map { TableColumn($0, header: $1).cell(of: item) }
    #expect(cells == ["1", "2", "3", "4", "5"])
  }

  @Test("table keys still follow dotted paths into nested objects")
  func dottedPathColumns() {
    let item = JSONValue.object([("audit", .object([("created_at", .string("2026-05-01"))]))])
    #expect(TableColumn("audit.created_at").cell(of: item) == "2026-05-01")
  }

  @Test("alert watch prints one compact JSON object per line")
  func compactJSON() {
    let value = JSONValue.object([("a", .integer(1)), ("b", .strings(["x y", "z\n"]))])
    #expect(AlertWatch.compact(value) == "{\"a\": 1,\"b\": [\"x y\",\"z\\n\"]}")
  }

  @Test("JSON parser reads documents and names the offset of errors")
  func jsonParsing() throws {
    let value = try JSONValue.parse(
      " {\"a\": [1, -2.5e3, true, null], \"b\": \"\\u00e9\\ud83d\\ude00\"} ")
    #expect(value["a"]?.arrayValue?.count == 4)
    #expect(value["b"]?.stringValue == "é😀")
    #expect(throws: CLIError.self) { try JSONValue.parse("[1,]") }
    do {
      _ = try JSONValue.parse("{\"a\" 1}")
    } catch let error as CLIError {
      #expect(error.message == "invalid JSON at byte 5: expected ':'")
    }
  }

  @Test("SELECT parses into a query of its own text")
  func selectStatement() throws {
    let statements = try SQLParser.parse(
      SQLSource(name: nil, text: "GRANT SELECT ON TABLE a.b.c TO x;\nSELECT 1 AS one -- c\n;"))
    guard case .query(let sql) = statements[1].statement else {
      Issue.record("the second statement is \(statements[1].statement)")
      return
    }
    #expect(sql == "SELECT 1 AS one")
    #expect(statements[1].line == 2)
  }

  @Test("SELECT keeps the comments inside it")
  func selectKeepsComments() throws {
    let statements = try SQLParser.parse(
      SQLSource(name: nil, text: "SELECT 1 + /* x */ 2, 3 -- three\n, 4;"))
    guard case .query(let sql) = statements[0].statement else {
      Issue.record("the statement is \(statements[0].statement)")
      return
    }
    #expect(sql == "SELECT 1 + /* x */ 2, 3 -- three\n, 4")
  }

  @Test("long SELECT is whole in JSON and short in progress lines")
  func longSelectText() throws {
    let select = "SELECT " + (0..<40).map { "\($0) AS c\($0)" }.joined(separator: ", ") + "\nFROM t"
    let statement = try SQLParser.parse(SQLSource(name: nil, text: select))[0].statement

    #expect(statement.fullText == select)
    #expect(statement.summary.count == 80)
    #expect(statement.summary.hasSuffix("..."))
  }
}
