import EdgecatProto
import Testing

@testable import EdgecatCLI

/// The tokenizer and parser of `edgecat sql`, called directly.
@Suite("SQL parser")
struct SQLParserTests {
  static func parse(_ text: String) throws -> [ParsedStatement] {
    try SQLParser.parse(SQLSource(name: nil, text: text))
  }

  static func failure(_ text: String) -> String {
    do {
      _ = try parse(text)
      return "(parsed)"
    } catch {
      return (error as? CLIError)?.message ?? "\(error)"
    }
  }

  @Test("comments, quotes and semicolons inside literals")
  func tokens() throws {
    var tokenizer = SQLTokenizer(
      source: SQLSource(
        name: nil,
        text: "a /* one /* nested */ still */ `b``c` 'it''s; \\'ok\\'' \"d\\n\" -- end\n1.5e3 <= x")
    )
    let tokens = try tokenizer.tokenize()
    #expect(
      tokens.map(\.kind) == [.word, .quotedIdentifier, .string, .string, .number, .symbol, .word])
    #expect(tokens[1].text == "b`c")
    #expect(tokens[2].text == "it's; 'ok'")
    #expect(tokens[3].text == "d\n")
    #expect(tokens[4].text == "1.5e3")
    #expect(tokens[4].line == 2)
    #expect(tokens[5].text == "<=")
    #expect(tokens[1].followsComment)
  }

  @Test("statements split at semicolons outside literals and keep their lines")
  func splitting() throws {
    let statements = try Self.parse(
      "CREATE CATALOG a;;\n\n-- note; not a statement\nCREATE CATALOG `b;c`;\nCREATE CATALOG d")
    #expect(statements.map(\.line) == [1, 4, 5])
    guard case .createCatalog(let name, _, _) = statements[1].statement else {
      Issue.record("not a CREATE CATALOG")
      return
    }
    #expect(name == "b;c")
  }

  @Test("CREATE TABLE reads types, options, partitions and properties")
  func createTable() throws {
    let statements = try Self.parse(
      """
      CREATE EXTERNAL TABLE IF NOT EXISTS c.s.t (
        id BIGINT NOT NULL COMMENT 'key',
        amount decimal(10, 2),
        tags MAP<STRING, ARRAY<INT>>
      ) USING delta
      LOCATION '/data/t'
      PARTITIONED BY (years(ts), id)
      TBLPROPERTIES (delta.appendOnly = true, 'owner.team' 'ml')
      COMMENT 'facts'
      """)
    guard case .createTable(let table) = statements.first?.statement else {
      Issue.record("not a CREATE TABLE")
      return
    }
    #expect(table.name == ["c", "s", "t"])
    #expect(table.ifNotExists)
    #expect(table.columns.map(\.type) == ["BIGINT", "decimal(10,2)", "MAP<STRING,ARRAY<INT>>"])
    #expect(table.columns.map(\.nullable) == [false, true, true])
    #expect(table.columns[0].comment == "key")
    #expect(table.format == "DELTA")
    #expect(table.location == "/data/t")
    #expect(table.partitions == ["years(ts)", "id"])
    #expect(table.properties == ["delta.appendOnly": "true", "owner.team": "ml"])
    #expect(table.comment == "facts")
  }

  @Test("CREATE FUNCTION keeps the body as written, without comments")
  func createFunction() throws {
    let statements = try Self.parse(
      """
      CREATE FUNCTION c.s.f(region STRING, level INT COMMENT 'tier')
      RETURNS BOOLEAN
      LANGUAGE SQL DETERMINISTIC
      COMMENT 'filter'
      RETURN IF(level > 2, true, -- admins
        region = current_user_region());
      """)
    guard case .createFunction(let function) = statements.first?.statement else {
      Issue.record("not a CREATE FUNCTION")
      return
    }
    #expect(function.parameters.map(\.name) == ["region", "level"])
    #expect(function.parameters.map(\.type) == ["STRING", "INT"])
    #expect(function.returnType == "BOOLEAN")
    #expect(function.comment == "filter")
    #expect(function.body == "IF(level > 2, true, region = current_user_region())")
  }

  @Test("privileges with spaces map to upper snake case")
  func privileges() throws {
    let statements = try Self.parse(
      "GRANT use catalog, CREATE TABLE, all privileges, READ_VOLUME ON CATALOG p TO `a b`")
    guard case .grant(let change) = statements.first?.statement else {
      Issue.record("not a GRANT")
      return
    }
    #expect(change.privileges == ["USE_CATALOG", "CREATE_TABLE", "ALL_PRIVILEGES", "READ_VOLUME"])
    #expect(change.principal == "a b")
    #expect(change.type == .catalog)
  }

  @Test("securable types and name parts")
  func securables() throws {
    let cases: [(String, Edgecat_Policy_V1_SecurableType, String)] = [
      ("SHOW GRANTS ON METASTORE", .metastore, ""),
      ("SHOW GRANTS ON DATABASE a.b", .schema, "a.b"),
      ("SHOW GRANTS ON VIEW a.b.v", .view, "a.b.v"),
      ("SHOW GRANTS ON REGISTERED MODEL a.b.m", .registeredModel, "a.b.m"),
      ("SHOW GRANTS ON MODEL `a`.`b`.`m`", .registeredModel, "a.b.m"),
    ]
    for (text, type, name) in cases {
      let statement = try Self.parse(text).first?.statement
      guard case .showGrants(let parsedType, let parsedName, nil) = statement else {
        Issue.record("\(text) is not SHOW GRANTS")
        continue
      }
      #expect(parsedType == type, "\(text)")
      #expect(parsedName == name, "\(text)")
    }
  }

  @Test(
    "errors name the line and the problem",
    arguments: [
      ("\n\nGRANT SELECT TABLE a.b.c TO x", "line 3: expected ON after the privileges of GRANT"),
      ("ALTER TABLE a.b.c ALTER COLUMN x SET MASK f", "line 1: function name f has 1 part"),
      ("CREATE FUNCTION a.b.f(x INT)", "expected RETURN before the body of a.b.f"),
      ("CREATE FUNCTION a.b.f(x INT) RETURN", "needs an expression after RETURN"),
      ("CREATE TABLE a.b.t", "CREATE TABLE a.b.t needs its columns"),
      ("CREATE TABLE a.b.t (x INT) USING DELTA USING CSV", "USING appears twice"),
      ("/* open", "line 1: the comment that starts here has no closing */"),
      ("CREATE CATALOG `open", "the backquoted identifier that starts here has no closing `"),
      ("SHOW TABLES IN a", "line 1: SHOW TABLES is not supported"),
      ("CREATE CATALOG a # b", "unexpected character \"#\""),
      (
        "CREATE CATALOG \"sales\"",
        "expected the catalog name, found the string 'sales'; quote names with backquotes,"
          + " such as `sales`"
      ),
      (
        "GRANT SELECT ON TABLE a.b.c TO `x`, `y`",
        "unexpected \",\" after the principal of GRANT; end the statement with a semicolon"
      ),
    ])
  func errors(text: String, message: String) {
    let error = Self.failure(text)
    #expect(error.contains(message), "\(error)")
  }

  @Test("summaries quote principals")
  func summaries() throws {
    let statements = try Self.parse(
      "REVOKE SELECT ON TABLE a.b.c FROM `data-engineers`; ALTER CATALOG a OWNER TO `x``y`")
    #expect(statements[0].statement.summary == "REVOKE SELECT ON TABLE a.b.c FROM `data-engineers`")
    #expect(statements[1].statement.summary == "ALTER CATALOG a OWNER TO `x``y`")
  }
}
