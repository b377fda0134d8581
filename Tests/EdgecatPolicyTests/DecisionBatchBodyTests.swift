import EdgecatCore
import Testing

@testable import EdgecatPolicy

@Suite("Decision batch bodies")
struct DecisionBatchBodyTests {
  private static let kind = DecisionKind(
    idPrefix: "dec-0a1b-", principal: "alice", privilege: "USE_CATALOG", securable: "main",
    allowed: true, reason: "alice holds USE_CATALOG on main", caller: "service:catalog",
    revision: 7)
  private static let other = DecisionKind(
    idPrefix: "dec-0a1b-", principal: "bob", privilege: "SELECT", securable: "main.s.t",
    allowed: false, reason: "bob lacks USE_CATALOG on main", caller: "admin", revision: 8)

  private struct Row: Equatable {
    var time: Double
    var kind: DecisionKind
    var serial: UInt64?
    var requestID: String
  }

  private static func hex16(_ value: UInt64) -> String {
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: 16 - digits.count) + digits
  }

  private func roundTrip(_ rows: [Row]) throws -> [Row] {
    var writer = DecisionBatchWriter(rowCapacity: rows.count)
    for row in rows {
      writer.append(row.kind, time: row.time, serial: row.serial, requestID: row.requestID)
    }
    let decoded = try #require(DecodedDecisionBatch(body: writer.body()))
    return decoded.rows.map {
      Row(time: $0.time, kind: decoded.kinds[$0.kind], serial: $0.serial, requestID: $0.requestID)
    }
  }

  @Test("fields round-trip")
  func roundTripsEdgeValues() throws {
    let prefix = "9f8e7d6c5b4a3921"
    let rows = [
      Row(
        time: 1_764_000_000.123_456, kind: Self.kind, serial: 5,
        requestID: prefix + "00000000000000ff"),
      // Steps backwards in every field, and the extremes of each.
      Row(
        time: 1_764_000_000.000_001, kind: Self.other, serial: 0,
        requestID: prefix + "0000000000000001"),
      Row(time: 0, kind: Self.kind, serial: UInt64.max, requestID: prefix + "ffffffffffffffff"),
      Row(time: -1.5, kind: Self.kind, serial: nil, requestID: prefix + "0000000000000000"),
      Row(time: 1e300, kind: Self.other, serial: 1, requestID: ""),
      // Not numbered: upper-case digits, too short, a non-digit among the last 16.
      Row(time: 2, kind: Self.kind, serial: nil, requestID: prefix + "00000000000000FF"),
      Row(time: 3, kind: Self.kind, serial: 2, requestID: "abc123"),
      Row(time: 4, kind: Self.kind, serial: 3, requestID: "req-0000000000000g01"),
      // Numbered with an empty prefix, and with a prefix that is not ASCII.
      Row(time: 5, kind: Self.kind, serial: 4, requestID: "0123456789abcdef"),
      Row(time: 6, kind: Self.kind, serial: 5, requestID: "zürich-0123456789abcdef"),
      Row(time: 7, kind: Self.other, serial: 6, requestID: prefix + "0000000000000100"),
    ]
    #expect(try roundTrip(rows) == rows)
  }

  @Test("prefix limit keeps ids as text")
  func manyPrefixes() throws {
    let rows = (0..<(DecisionBatch.maximumRequestIDPrefixes + 5)).map { index in
      Row(
        time: Double(index), kind: Self.kind, serial: UInt64(index),
        requestID: Self.hex16(UInt64(index * 7919)) + Self.hex16(UInt64(index)))
    }
    #expect(try roundTrip(rows) == rows)
  }

  @Test("repeats cost a few bytes")
  func compactRows() throws {
    var writer = DecisionBatchWriter(rowCapacity: 1000)
    for index in 0..<1000 {
      writer.append(
        Self.kind, time: 1_764_000_000 + Double(index) * 11e-6, serial: UInt64(4000 + index),
        requestID: "0f1e2d3c4b5a6978" + Self.hex16(UInt64(1000 + index * 3)))
    }
    // Time, kind and flags, serial, prefix index and number: one or two bytes each.
    #expect(writer.body().count < 1000 * 7)
  }

  @Test("format 1 still read")
  func readsFormatOne() throws {
    var body: [UInt8] = [1]
    LEB128.append(1, to: &body)
    let kind = Self.kind
    for text in [
      kind.idPrefix, kind.principal, kind.privilege, kind.securable, kind.reason, kind.caller,
    ] {
      LEB128.append(text, to: &body)
    }
    body.append(1)
    LEB128.append(kind.revision, to: &body)
    LEB128.append(2, to: &body)
    for (time, serial, requestID) in [(100.25, UInt64(0), "r1"), (101.5, UInt64(43), "r2")] {
      withUnsafeBytes(of: time.bitPattern.littleEndian) { body.append(contentsOf: $0) }
      LEB128.append(0, to: &body)
      LEB128.append(serial, to: &body)
      LEB128.append(requestID, to: &body)
    }

    let decoded = try #require(DecodedDecisionBatch(body: body))
    #expect(decoded.kinds == [kind])
    #expect(decoded.rows.map(\.time) == [100.25, 101.5])
    #expect(decoded.rows.map(\.serial) == [nil, 42])
    #expect(decoded.rows.map(\.requestID) == ["r1", "r2"])
  }

  @Test("random damage never traps")
  func randomDamage() throws {
    var writer = DecisionBatchWriter(rowCapacity: 40)
    for index in 0..<40 {
      writer.append(
        index % 3 == 0 ? Self.kind : Self.other, time: 1_764_000_000 + Double(index),
        serial: index % 5 == 0 ? nil : UInt64(index),
        requestID: index % 4 == 0
          ? "client-\(index)" : "0123456789abcdef" + Self.hex16(UInt64(index)))
    }
    let body = writer.body()
    // A fixed-seed generator (SplitMix64), so that a failure repeats.
    var state: UInt64 = 0x5EED
    func next() -> UInt64 {
      state &+= 0x9E37_79B9_7F4A_7C15
      var mixed = state
      mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
      mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
      return mixed ^ (mixed >> 31)
    }
    for _ in 0..<2000 {
      var damaged = body
      for _ in 0..<(1 + next() % 4) {
        damaged[Int(next() % UInt64(damaged.count))] = UInt8(truncatingIfNeeded: next())
      }
      if next() % 4 == 0 { damaged.removeLast(Int(next() % UInt64(damaged.count))) }
      // Decoding must return a batch or nil; a trap would end the test process.
      if let decoded = DecodedDecisionBatch(body: damaged) {
        for index in decoded.rows.indices { _ = decoded.logged(index) }
      }
    }
  }

  @Test("damaged bodies rejected")
  func rejectsDamage() throws {
    var writer = DecisionBatchWriter(rowCapacity: 2)
    writer.append(Self.kind, time: 1, serial: 1, requestID: "0123456789abcdef0123456789abcdef")
    writer.append(Self.kind, time: 2, serial: 2, requestID: "plain")
    let body = writer.body()
    #expect(DecodedDecisionBatch(body: body) != nil)
    #expect(DecodedDecisionBatch(body: Array(body.dropLast())) == nil)
    #expect(DecodedDecisionBatch(body: body + [0]) == nil)
    var otherFormat = body
    otherFormat[0] = 3
    #expect(DecodedDecisionBatch(body: otherFormat) == nil)
  }
}
