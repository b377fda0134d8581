import EdgecatStore
import Testing

@Suite("Application-defined SQL functions")
struct FunctionTests {
  static let values: [SQLValue] = [
    .null, .integer(Int64.min), .real(-0.5), .text(""), .text("a\u{0}b"), .text("日本 🚀"),
    .blob([]), .blob([0, 1, 255]),
  ]

  @Test("arguments and results round trip", arguments: values)
  func roundTrip(value: SQLValue) throws {
    let database = try Database(path: ":memory:")
    defer { database.close() }
    try database.createFunction(name: "echo", argumentCount: 1, deterministic: true) { arguments in
      arguments[0]
    }

    let row = try database.queryOne("SELECT echo(?), typeof(echo(?))", value, value)
    #expect(row?[0] == value)
    #expect(row?[1] == SQLValue.text(Self.typeName(of: value)))
  }

  @Test("any argument count with -1")
  func variadic() throws {
    let database = try Database(path: ":memory:")
    defer { database.close() }
    try database.createFunction(name: "count_args", argumentCount: -1, deterministic: true) {
      .integer(Int64($0.count))
    }

    #expect(try database.queryOne("SELECT count_args()")?[0].int == 0)
    #expect(try database.queryOne("SELECT count_args(1, 'a', NULL)")?[0].int == 3)
  }

  @Test("thrown error fails statement with its message")
  func thrownError() throws {
    let database = try Database(path: ":memory:")
    defer { database.close() }
    try database.createFunction(name: "fail", argumentCount: 0, deterministic: false) {
      _ in throw PlannedFailure(id: 7)
    }
    try database.createFunction(name: "fail_store", argumentCount: 0, deterministic: false) {
      _ in throw StoreError(code: 1, message: "quota exceeded", operation: "test")
    }

    let error = #expect(throws: StoreError.self) { try database.query("SELECT fail()") }
    #expect(error?.message == "PlannedFailure(id: 7)")
    #expect(error?.operation == "sqlite3_step")
    let storeError = #expect(throws: StoreError.self) { try database.query("SELECT fail_store()") }
    #expect(storeError?.message == "quota exceeded")
    // The connection stays usable after the failed statement.
    #expect(try database.queryOne("SELECT 1")?[0].int == 1)
  }

  @Test("wrong argument count rejected by SQLite")
  func wrongArgumentCount() throws {
    let database = try Database(path: ":memory:")
    defer { database.close() }
    try database.createFunction(name: "one", argumentCount: 1, deterministic: true) { $0[0] }

    let error = #expect(throws: StoreError.self) { try database.query("SELECT one(1, 2)") }
    #expect(error?.message == "wrong number of arguments to function one()")
  }

  @Test("invalid registration rejected", arguments: [("f", Int32(-2)), ("f", 1000), ("", 0)])
  func invalidRegistration(name: String, argumentCount: Int32) throws {
    let database = try Database(path: ":memory:")
    defer { database.close() }
    let error = #expect(throws: StoreError.self) {
      try database.createFunction(name: name, argumentCount: argumentCount, deterministic: true) {
        _ in .null
      }
    }
    #expect(error?.operation == "sqlite3_create_function_v2")
  }

  @Test("deterministic flag governs index expressions")
  func deterministicFlag() throws {
    let database = try Database(path: ":memory:")
    defer { database.close() }
    try database.createFunction(name: "pure", argumentCount: 1, deterministic: true) { $0[0] }
    try database.createFunction(name: "impure", argumentCount: 1, deterministic: false) { $0[0] }
    try database.executeScript("CREATE TABLE t (x)")

    try database.execute("CREATE INDEX t_pure ON t (pure(x))")
    let error = #expect(throws: StoreError.self) {
      try database.execute("CREATE INDEX t_impure ON t (impure(x))")
    }
    #expect(error?.message.contains("non-deterministic functions prohibited") == true)
  }

  @Test("body released on replacement and close")
  func bodyReleased() throws {
    let database = try Database(path: ":memory:")
    weak var first: Tracker?
    weak var second: Tracker?
    do {
      let tracker = Tracker()
      first = tracker
      try database.createFunction(name: "f", argumentCount: 0, deterministic: false) { _ in
        tracker.calls += 1
        return .integer(1)
      }
    }
    #expect(try database.queryOne("SELECT f()")?[0].int == 1)
    #expect(first?.calls == 1)

    do {
      let tracker = Tracker()
      second = tracker
      try database.createFunction(name: "f", argumentCount: 0, deterministic: false) { _ in
        tracker.calls += 1
        return .integer(2)
      }
    }
    #expect(first == nil)
    #expect(try database.queryOne("SELECT f()")?[0].int == 2)
    database.close()
    #expect(second == nil)
  }

  static func typeName(of value: SQLValue) -> String {
    switch value {
    case .null: "null"
    case .integer: "integer"
    case .real: "real"
    case .text: "text"
    case .blob: "blob"
    }
  }
}
