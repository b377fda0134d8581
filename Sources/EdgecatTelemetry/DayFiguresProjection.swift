/// An aggregate query over the inference log, rewritten to read the day figures instead of the raw
/// rows. The day figures sum the raw records per day, device, model and model version. A query that
/// groups and filters by those keys only, and aggregates confidence and latency_ms with COUNT, SUM,
/// TOTAL, AVG or a standard deviation, gets the same rows from them. Over 30 days of 500 devices
/// that is 15,000 rows instead of millions: the per-day drift query `SELECT date(timestamp) AS day,
/// AVG(confidence), STDDEV(confidence) ... GROUP BY day` reads no raw record. Results match up to
/// floating-point rounding, because sums are added in another order and standard deviations come
/// from merged moments (`MomentsStandardDeviationState`).
///
/// The day figures hold no row filter or mask, so a projection serves only callers who see
/// every row unmasked. Anything else in a query, such as another column, MIN or MAX, a join, a
/// subquery or a WITH clause, leaves it to the raw rows.
struct DayFiguresProjection: Sendable {
  /// The projected statement, over `DayFiguresView` in place of the hosted table's view.
  let template: QueryTemplate
  /// The hosted inference log that the author's query reads.
  let table: HostedTable

  /// Returns the projection of `template`, or nil when the day figures cannot compute its
  /// result.
  static func match(_ template: QueryTemplate) -> DayFiguresProjection? {
    guard !template.hasWith, template.tables.count == 1, let table = template.tables.first,
      table.rawTable == "inference_logs",
      let clauses = DayFiguresClauses(template.body, table: table)
    else { return nil }
    guard let body = projectedBody(clauses, table: table) else { return nil }
    let projected = QueryTemplate(
      body: body, hasWith: false, isRecursive: false,
      tables: [DayFiguresView.hostedTable(for: table)])
    return DayFiguresProjection(template: projected, table: table)
  }

  private static func projectedBody(_ clauses: DayFiguresClauses, table: HostedTable)
    -> [QueryToken]?
  {
    let translation = DayFiguresTranslation(
      tableAlias: clauses.tableAlias,
      aliases: Set(clauses.items.compactMap(\.alias).map(QueryToken.fold)))
    guard translation.aliases.isDisjoint(with: DayFiguresTranslation.rawColumns) else {
      return nil
    }

    var items: [DayFiguresExpression] = []
    for item in clauses.items {
      guard let expression = translation.translate(item.expression, allowsAggregates: true)
      else { return nil }
      items.append(expression)
    }
    var groupKeys: [DayFiguresKeyColumn] = []
    for term in clauses.groupBy {
      guard let key = groupKey(term, items: items, clauses: clauses, translation: translation)
      else { return nil }
      if !groupKeys.contains(key) { groupKeys.append(key) }
    }
    guard !groupKeys.isEmpty || items.contains(where: \.hasAggregate) else { return nil }

    var filter: DayFiguresExpression?
    if let condition = clauses.whereClause {
      filter = translation.translate(condition, allowsAggregates: false)
      guard filter != nil else { return nil }
    }
    var having: DayFiguresExpression?
    if let condition = clauses.having {
      having = translation.translate(condition, allowsAggregates: true)
      guard having != nil else { return nil }
    }
    var order: DayFiguresExpression?
    if let terms = clauses.orderBy {
      order = translation.translate(terms, allowsAggregates: true)
      guard order != nil else { return nil }
    }
    if let limit = clauses.limit, !limit.allSatisfy(Self.isLimitToken) { return nil }

    let grouped = Set(groupKeys)
    let outside = items.map(\.keys) + [having?.keys ?? [], order?.keys ?? []]
    guard outside.allSatisfy({ $0.isSubset(of: grouped) }) else { return nil }

    guard let anchor = clauses.items.first?.expression.first else { return nil }
    func word(_ text: String) -> QueryToken { .generated(.word, text, origin: anchor.origin) }
    func symbol(_ text: String) -> QueryToken { .generated(.symbol, text, origin: anchor.origin) }

    var body = [word("SELECT")]
    for (index, item) in items.enumerated() {
      if index > 0 { body.append(symbol(",")) }
      body += item.tokens
      body += [
        word("AS"), symbol(QueryToken.quoted(header(of: clauses.items[index], translation))),
      ]
    }
    body += [word("FROM"), symbol(QueryNames.viewName(of: table))]
    if let filter { body += [word("WHERE")] + filter.tokens }
    if !groupKeys.isEmpty {
      body += [word("GROUP"), word("BY")]
      body.append(symbol(groupKeys.map(\.viewColumn).joined(separator: ", ")))
    }
    if let having { body += [word("HAVING")] + having.tokens }
    if let order { body += [word("ORDER"), word("BY")] + order.tokens }
    if let limit = clauses.limit { body += [word("LIMIT")] + limit }
    return body
  }

  /// Returns the key that one GROUP BY term stands for: a key expression, the output alias of
  /// one or the position of one in the select list.
  private static func groupKey(
    _ term: ArraySlice<QueryToken>, items: [DayFiguresExpression], clauses: DayFiguresClauses,
    translation: DayFiguresTranslation
  ) -> DayFiguresKeyColumn? {
    if term.count == 1, let only = term.first {
      if only.kind == .number {
        guard let position = Int(only.text), position >= 1, position <= items.count else {
          return nil
        }
        return items[position - 1].singleKey
      }
      if let name = only.foldedName, translation.aliases.contains(name),
        let index = clauses.items.firstIndex(where: { $0.alias.map(QueryToken.fold) == name })
      {
        return items[index].singleKey
      }
    }
    return translation.translate(term, allowsAggregates: false)?.singleKey
  }

  /// Returns the column name SQLite gives an output column: its alias, the name of a column it
  /// reads as a bare reference, or else the expression's text.
  private static func header(of item: DayFiguresClauses.Item, _ translation: DayFiguresTranslation)
    -> String
  {
    if let alias = item.alias { return alias }
    if let column = translation.column(in: item.expression) { return column }
    return QueryLexer.join(Array(item.expression)).sql
  }

  private static func isLimitToken(_ token: QueryToken) -> Bool {
    token.kind == .number || token.isKeyword("offset") || token.isSymbol(",")
      || token.isSymbol("-") || token.isSymbol("+")
  }
}
