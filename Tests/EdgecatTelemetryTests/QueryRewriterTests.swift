import EdgecatCore
import Testing

@testable import EdgecatTelemetry

@Suite("Query rewrite") struct QueryRewriterTests {
  static let rewriter = QueryRewriter(
    tables: [QueryFixture.table], sourceSchema: "edgecat_source_test", now: QueryFixture.now)

  static func rewritten(_ sql: String) throws -> String {
    let template = try rewriter.rewrite(sql)
    let views = template.tables.map { _ in "SELECT 1" }
    return QueryLexer.join(template.statement(views: views)).sql
  }

  @Test("hosted name becomes the generated view")
  func hostedName() throws {
    let sql = try Self.rewritten(
      "SELECT device_id FROM production.edge_metrics.inference_logs WHERE seq > 1;")

    #expect(
      sql == "WITH \"production.edge_metrics.inference_logs\" AS (SELECT 1) SELECT device_id "
        + "FROM \"production.edge_metrics.inference_logs\" AS \"inference_logs\" WHERE seq > 1")
  }

  @Test("author's alias is kept")
  func authorAlias() throws {
    let sql = try Self.rewritten("SELECT l.seq FROM Production.Edge_Metrics.Inference_Logs l")

    #expect(sql.hasSuffix("FROM \"production.edge_metrics.inference_logs\" l"))
  }

  @Test("user WITH list follows the generated views")
  func userWith() throws {
    let sql = try Self.rewritten(
      "WITH RECURSIVE x AS (SELECT 1) SELECT * FROM x, production.edge_metrics.inference_logs")

    #expect(
      sql == "WITH RECURSIVE \"production.edge_metrics.inference_logs\" AS (SELECT 1) , x AS "
        + "(SELECT 1) SELECT * FROM x, \"production.edge_metrics.inference_logs\" AS "
        + "\"inference_logs\"")
  }

  @Test("INTERVAL becomes strftime arithmetic")
  func interval() throws {
    let sql = try Self.rewritten(
      "SELECT 1 WHERE timestamp > current_timestamp() - INTERVAL 1 HOUR")

    #expect(
      sql == "SELECT 1 WHERE timestamp > strftime ( '%Y-%m-%d %H:%M:%f' , "
        + "'2030-01-15 12:00:00.000' , '-1 hours' )")
  }

  @Test("IF becomes iif")
  func ifCall() throws {
    let sql = try Self.rewritten("SELECT IF(1, 'a', 'b'), \"if\"")

    #expect(sql == "SELECT iif(1, 'a', 'b') AS \"IF(1, 'a', 'b')\" , \"if\"")
  }

  @Test("comments are dropped and keep tokens apart")
  func comments() throws {
    let sql = try Self.rewritten("SELECT 1-/* x */-1 -- end")

    #expect(sql == "SELECT 1- -1 AS \"1-/* x */-1 -- end\"")
  }

  @Test("attached schema name is reserved")
  func schemaReserved() throws {
    #expect(throws: ServiceError.self) {
      try Self.rewritten("SELECT * FROM edgecat_source_test.inference_logs")
    }
    #expect(throws: ServiceError.self) {
      try Self.rewritten("SELECT * FROM EDGECAT_SOURCE_TEST.x")
    }
  }
}
