import EdgecatCore

extension QueryTimeRewrite {
  /// An INTERVAL unit: the SQLite date modifier unit it maps to and the factor on the amount.
  struct IntervalUnit {
    let modifier: String
    let factor: Int
    /// Whether the amount must be a whole number, as SQLite's month and year modifiers need.
    let wholeOnly: Bool
  }

  private static let units: [String: IntervalUnit] = {
    let base: [(String, IntervalUnit)] = [
      ("second", IntervalUnit(modifier: "seconds", factor: 1, wholeOnly: false)),
      ("minute", IntervalUnit(modifier: "minutes", factor: 1, wholeOnly: false)),
      ("hour", IntervalUnit(modifier: "hours", factor: 1, wholeOnly: false)),
      ("day", IntervalUnit(modifier: "days", factor: 1, wholeOnly: false)),
      ("week", IntervalUnit(modifier: "days", factor: 7, wholeOnly: true)),
      ("month", IntervalUnit(modifier: "months", factor: 1, wholeOnly: true)),
      ("year", IntervalUnit(modifier: "years", factor: 1, wholeOnly: true)),
    ]
    var units: [String: IntervalUnit] = [:]
    for (name, unit) in base {
      units[name] = unit
      units[name + "s"] = unit
    }
    return units
  }()

  static func unit(of token: QueryToken) -> IntervalUnit? {
    token.kind == .word ? units[QueryToken.fold(token.text)] : nil
  }

  /// Parses `[+|-] n unit` at `index`, where n is a number or a quoted number, and returns the
  /// SQLite modifier, such as "-1 hours", and the index after the unit. `position` returns the
  /// INTERVAL's character position for an error.
  func parseAmount(
    in tokens: [QueryToken], at index: Int, negated: Bool, position: () -> Int
  ) throws(ServiceError) -> (String, Int) {
    var next = index
    var negative = negated
    if next < tokens.count, tokens[next].isSymbol("-") || tokens[next].isSymbol("+") {
      if tokens[next].isSymbol("-") { negative.toggle() }
      next += 1
    }
    let units = "SECOND, MINUTE, HOUR, DAY, WEEK, MONTH or YEAR"
    guard next + 1 < tokens.count, let amount = Self.amount(of: tokens[next]),
      let unit = Self.unit(of: tokens[next + 1])
    else {
      throw .invalidArgument(
        "INTERVAL at character \(position()) needs an amount and a unit, such as INTERVAL 1 "
          + "HOUR; units are \(units), singular or plural")
    }
    var digits = amount
    if unit.factor != 1 || unit.wholeOnly {
      let scaled = Int(amount)?.multipliedReportingOverflow(by: unit.factor)
      guard let scaled, !scaled.overflow else {
        throw .invalidArgument(
          "INTERVAL \(amount) \(tokens[next + 1].text) at character \(position()) needs a whole "
            + "number of \(QueryToken.fold(tokens[next + 1].text)); use a smaller unit for "
            + "fractions")
      }
      digits = String(scaled.partialValue)
    }
    return ((negative ? "-" : "+") + digits + " " + unit.modifier, next + 2)
  }

  /// Returns the decimal digits of a number token or of a string token such as '1', or nil
  /// for anything else.
  private static func amount(of token: QueryToken) -> String? {
    var text = token.text
    if token.kind == .string {
      text = String(text.dropFirst().dropLast()).trimmingSpaces()
    } else if token.kind != .number {
      return nil
    }
    let dots = text.filter { $0 == "." }.count
    let valid =
      !text.isEmpty && dots <= 1 && text != "."
      && text.allSatisfy { $0 == "." || ("0"..."9").contains($0) }
    return valid ? text : nil
  }
}

extension String {
  fileprivate func trimmingSpaces() -> String {
    String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
  }
}
