/// The day figures key that a raw expression stands for.
enum DayFiguresKeyColumn: String, Sendable {
  case day
  case deviceID = "device_id"
  case modelName = "model_name"
  case modelVersion = "model_version"

  /// The view column of the key.
  var viewColumn: String { DayFiguresView.column(rawValue) }
}

/// One expression of a query rewritten over the day figures view: its tokens, the keys it
/// reads outside aggregates, and whether it is a single key and nothing else.
struct DayFiguresExpression {
  var tokens: [QueryToken] = []
  var keys: Set<DayFiguresKeyColumn> = []
  var hasAggregate = false
  var singleKey: DayFiguresKeyColumn?
}

/// Rewrites expressions over the inference log into expressions over the day figures view.
/// It gives up (returns nil) for anything the day figures cannot compute exactly. That covers
/// a raw column other than a key outside an aggregate, and an aggregate other than COUNT, SUM,
/// TOTAL, AVG and the standard deviations of confidence or latency_ms. It also covers
/// DISTINCT, window functions, subqueries and functions that are not deterministic scalars.
struct DayFiguresTranslation {
  /// The name the FROM clause gives the inference log, which may qualify its columns.
  let tableAlias: String
  /// The query's output column aliases in lower case.
  let aliases: Set<String>

  static let rawColumns = Set(InferenceLogColumns.names)
  /// The measures whose count, sum and M2 the day figures keep, by column prefix.
  static let measures = ["confidence": "confidence", "latency_ms": "latency"]
  static let aggregates: Set<String> = [
    "count", "sum", "total", "avg", "stddev", "stddev_samp", "stddev_pop",
  ]
  /// Deterministic scalar functions, which give the same value over the day figures as over
  /// the raw rows because they see the same keys and aggregate results.
  static let scalars: Set<String> = [
    "abs", "cast", "coalesce", "format", "hex", "ifnull", "iif", "instr", "length", "lower",
    "ltrim",
    "nullif", "printf", "replace", "round", "rtrim", "substr", "substring", "trim", "typeof",
    "upper",
  ]
  static let keywords: Set<String> = [
    "as", "asc", "desc", "nulls", "first", "last", "and", "or", "not", "is", "null", "case",
    "when", "then", "else", "end", "between", "in", "like", "glob", "escape", "cast", "real",
    "integer", "text", "numeric", "int", "true", "false",
  ]

  /// Returns `tokens` rewritten, or nil. Aggregates are rejected unless `allowsAggregates`.
  func translate(_ tokens: ArraySlice<QueryToken>, allowsAggregates: Bool)
    -> DayFiguresExpression?
  {
    var output = DayFiguresExpression()
    var index = tokens.startIndex
    var units = 0
    while index < tokens.endIndex {
      let token = tokens[index]
      units += 1
      switch token.kind {
      case .number, .string:
        output.tokens.append(token)
        index += 1
        continue
      case .symbol:
        guard !token.isSymbol("."), !token.isSymbol(";") else { return nil }
        output.tokens.append(token)
        index += 1
        continue
      case .word, .quotedIdentifier:
        break
      }
      guard let name = token.foldedName else { return nil }
      let next = index + 1 < tokens.endIndex ? tokens[index + 1] : nil

      if token.kind == .word, next?.isSymbol("(") == true {
        guard let close = Self.closingParenthesis(in: tokens, from: index + 1) else { return nil }
        let arguments = tokens[(index + 2)..<close]
        if Self.aggregates.contains(name) {
          guard allowsAggregates, let mapped = aggregate(name, arguments, at: token) else {
            return nil
          }
          output.tokens += mapped
          output.hasAggregate = true
          index = close + 1
          continue
        }
        if name == "date" {
          guard column(in: arguments) == "timestamp" else { return nil }
          output.tokens.append(Self.generated(DayFiguresKeyColumn.day.viewColumn, at: token))
          output.keys.insert(.day)
          if units == 1 && close + 1 == tokens.endIndex { output.singleKey = .day }
          index = close + 1
          continue
        }
        guard Self.scalars.contains(name) else { return nil }
        output.tokens.append(token)
        index += 1
        continue
      }

      let qualified = next?.isSymbol(".") == true && name == tableAlias
      if qualified || Self.rawColumns.contains(name) {
        let end = qualified ? index + 3 : index + 1
        guard end <= tokens.endIndex, let column = column(in: tokens[index..<end]),
          let key = DayFiguresKeyColumn(rawValue: column)
        else { return nil }
        output.tokens.append(Self.generated(key.viewColumn, at: token))
        output.keys.insert(key)
        if units == 1 && end == tokens.endIndex { output.singleKey = key }
        index = end
        continue
      }
      guard (token.kind == .word && Self.keywords.contains(name)) || aliases.contains(name)
      else { return nil }
      output.tokens.append(token)
      index += 1
    }
    return output
  }

  /// Returns the day figures expression of one aggregate call, in parentheses, or nil.
  private func aggregate(_ name: String, _ arguments: ArraySlice<QueryToken>, at token: QueryToken)
    -> [QueryToken]?
  {
    let sql: String
    if name == "count", arguments.count == 1, arguments.first?.isSymbol("*") == true {
      sql = "coalesce(sum(\(DayFiguresView.column("record_count"))), 0)"
    } else {
      guard let column = column(in: arguments), let prefix = Self.measures[column] else {
        return nil
      }
      let count = DayFiguresView.column(prefix + "_count")
      let sum = DayFiguresView.column(prefix + "_sum")
      let m2 = DayFiguresView.column(prefix + "_m2")
      switch name {
      case "count": sql = "coalesce(sum(\(count)), 0)"
      case "sum": sql = "CASE WHEN sum(\(count)) > 0 THEN sum(\(sum)) END"
      case "total": sql = "total(\(sum))"
      case "avg": sql = "sum(\(sum)) / sum(\(count))"
      case "stddev_pop": sql = "stddev_pop_from_moments(\(count), \(sum), \(m2))"
      default: sql = "stddev_from_moments(\(count), \(sum), \(m2))"
      }
    }
    return [
      Self.generated("(", at: token), Self.generated(sql, at: token),
      Self.generated(")", at: token),
    ]
  }

  /// Returns the raw column that `tokens` name, bare or qualified by the table's alias, or nil
  /// when they are anything else.
  func column(in tokens: ArraySlice<QueryToken>) -> String? {
    let parts = Array(tokens)
    if parts.count == 1, let name = parts[0].foldedName, Self.rawColumns.contains(name) {
      return name
    }
    if parts.count == 3, parts[0].foldedName == tableAlias, parts[1].isSymbol("."),
      let name = parts[2].foldedName, Self.rawColumns.contains(name)
    {
      return name
    }
    return nil
  }

  /// Returns the index of the ')' that closes the '(' at `open`, or nil.
  static func closingParenthesis(in tokens: ArraySlice<QueryToken>, from open: Int) -> Int? {
    var depth = 0
    for index in open..<tokens.endIndex {
      if tokens[index].isSymbol("(") { depth += 1 }
      if tokens[index].isSymbol(")") {
        depth -= 1
        if depth == 0 { return index }
      }
    }
    return nil
  }

  static func generated(_ text: String, at token: QueryToken) -> QueryToken {
    .generated(.symbol, text, origin: token.origin)
  }
}
