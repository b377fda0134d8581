import EdgecatCore
import EdgecatStore
import Synchronization

/// The SELECT behind a generated view: a hosted table's columns read from its raw table in the
/// attached schema, each masked column replaced by its mask and the rows limited by the row
/// filter. Only the masked values leave the view, so a query can neither see nor sort, group or
/// filter by a raw value that a mask hides.
///
/// NOTE: when SQLite 3.40 flattens a view into the query, it puts the view's row filter before
/// the query's own WHERE terms and evaluates them in that order, except for terms an index
/// uses. So a query's predicate does not run on hidden rows and cannot reveal them by failing.
/// That order is observed behavior, not a documented guarantee. `LIMIT -1` in the view would
/// make it one, at the cost of every index on the raw table.
enum QueryView {
  /// The identity functions that row filters and masks may call besides SQLite's own.
  /// `IF` is not here because the rewrite turns it into SQLite's `iif`.
  static let identityFunctions = [
    ExtraFunction(name: "current_user", argumentCount: 0),
    ExtraFunction(name: "is_account_group_member", argumentCount: 1),
    ExtraFunction(name: "current_user_attribute", argumentCount: 1),
    ExtraFunction(name: "current_user_region", argumentCount: 0),
  ]

  /// Returns the view's SELECT, or throws FAILED_PRECONDITION when the row filter or a mask
  /// cannot be applied, so that no row is served without them.
  static func select(
    of table: HostedTable, access: TableAccess, schema: String, now: Double,
    checked: CheckedExpressions
  ) throws(ServiceError) -> String {
    let name = QueryToken.fold(table.fullName)
    var masks: [String: String] = [:]
    for (column, mask) in access.masks {
      let folded = QueryToken.fold(column)
      guard table.columns.contains(where: { QueryToken.fold($0) == folded }) else {
        throw .failedPrecondition(
          "a column mask on \(name) names column \(column), which the table does not have; "
            + "the table's owner must drop or fix that mask")
      }
      masks[folded] = mask
    }

    var columns: [String] = []
    for column in table.columns {
      let quoted = QueryToken.quoted(column)
      if let mask = masks[QueryToken.fold(column)] {
        let what = "the mask on column \(column) of \(name)"
        let expression = try prepared(mask, of: table, what: what, now: now, checked: checked)
        columns.append(expression + " AS " + quoted)
      } else {
        columns.append(quoted)
      }
    }
    var sql =
      "SELECT " + columns.joined(separator: ", ") + " FROM "
      + QueryToken.quoted(schema) + "." + QueryToken.quoted(table.rawTable)
    if let filter = access.rowFilter, filter.contains(where: { !$0.isWhitespace }) {
      let what = "the row filter on \(name)"
      sql += " WHERE " + (try prepared(filter, of: table, what: what, now: now, checked: checked))
    }
    return sql
  }

  /// Rewrites an expression as queries are rewritten and checks that it is one scalar
  /// expression over the table's columns; returns it in parentheses.
  private static func prepared(
    _ expression: String, of table: HostedTable, what: String, now: Double,
    checked: CheckedExpressions
  ) throws(ServiceError) -> String {
    let sql: String
    do {
      let tokens = try QueryLexer.tokens(of: expression)
      sql = QueryLexer.join(try QueryTimeRewrite(now: now, sql: expression).apply(to: tokens)).sql
    } catch {
      throw unusable(what, error.message)
    }
    // The check depends on the table's columns, so the key names the table too.
    let key = table.fullName + "\u{0}" + sql
    if !checked.contains(key) {
      if let problem = ExpressionCheck.validate(
        sql, columns: table.columns, functions: identityFunctions)
      {
        throw unusable(what, problem)
      }
      checked.insert(key)
    }
    return "(" + sql + ")"
  }

  private static func unusable(_ what: String, _ problem: String) -> ServiceError {
    .failedPrecondition(
      "\(what) cannot be applied, so no rows are served: \(problem); the table's owner must "
        + "fix the function bound to it")
  }
}

/// Row filter and mask expressions that passed `ExpressionCheck`, so that each distinct one is
/// checked once. Thread-safe.
final class CheckedExpressions: Sendable {
  private let expressions = Mutex<Set<String>>([])
  /// Entries kept at most; the set is emptied when it would grow past this.
  private let capacity = 1024

  func contains(_ expression: String) -> Bool {
    expressions.withLock { $0.contains(expression) }
  }

  func insert(_ expression: String) {
    expressions.withLock {
      if $0.count >= capacity { $0.removeAll() }
      $0.insert(expression)
    }
  }
}
