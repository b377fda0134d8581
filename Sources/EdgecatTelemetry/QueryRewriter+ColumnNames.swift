/// The result column names of the author's text. SQLite 3.40.1 names a result column without
/// an alias after its expression as written, from its first token up to the next token with
/// comments and spacing kept and the ends trimmed, and a column reference after the column. The
/// rewrite drops comments, joins tokens with single spaces and replaces time arithmetic, so each
/// column whose name would change gets its text as written as an explicit alias.
///
/// Every SELECT is covered, so that a subquery or common table expression keeps the column
/// names that `*` and outer references read. A compound SELECT takes its names from its first
/// SELECT, as in SQLite. The documentation of `sqlite3_column_name` leaves names without AS
/// unspecified, so these follow SQLite 3.40.1 as observed.
///
/// NOTE: with the alias in place, WHERE, GROUP BY and ORDER BY terms may name the column by
/// its quoted text (`ORDER BY "current_timestamp()"`), which SQLite rejects without the alias.
struct ResultColumnNames {
  /// The UTF-8 bytes of the query as its author wrote it.
  private let bytes: [UInt8]

  init(sql: String) {
    bytes = Array(sql.utf8)
  }

  /// Returns `rewritten` with `AS "<text as written>"` after each result column that has no
  /// alias, is not `*` or `name.*`, and whose rewritten text would give it another name.
  /// `written` contains the author's tokens of the same statement, with the same SELECT
  /// keywords in the same order. A select list whose columns do not pair up keeps the names of
  /// its rewritten text.
  ///
  /// The aliases repeat at most as many bytes of text as the query has, given to the outermost
  /// SELECTs first, which always fit. The alias of a column with a subquery repeats the text of
  /// the aliases inside it, so nested subqueries would otherwise multiply the statement's size.
  /// NOTE: a subquery column past that budget keeps the name of its rewritten text.
  func restore(in rewritten: [QueryToken], written: [QueryToken]) -> [QueryToken] {
    let writtenLists = SelectList.all(in: written)
    let rewrittenLists = SelectList.all(in: rewritten)
    guard writtenLists.count == rewrittenLists.count else { return rewritten }
    let pairs = zip(writtenLists, rewrittenLists).sorted { $0.0.depth < $1.0.depth }

    var budget = bytes.count
    var aliases: [(position: Int, name: String, origin: Int)] = []
    for (writtenList, rewrittenList) in pairs {
      guard writtenList.items.count == rewrittenList.items.count else { continue }
      for (writtenRange, rewrittenRange) in zip(writtenList.items, rewrittenList.items) {
        let original = written[writtenRange]
        let changed = rewritten[rewrittenRange]
        guard let last = changed.last, !original.isEmpty, !SelectList.isStar(original),
          !SelectList.hasAlias(original), !SelectList.hasAlias(changed)
        else { continue }
        let unchanged = original.elementsEqual(changed) {
          $0.kind == $1.kind && $0.text == $1.text
        }
        if unchanged
          && SelectList.isColumnReference(original, isOutermost: writtenList.isOutermost)
        {
          continue
        }

        let name = text(of: writtenRange, in: written)
        guard name != QueryLexer.join(Array(changed)).sql, name.utf8.count <= budget else {
          continue
        }
        budget -= name.utf8.count
        aliases.append((rewrittenRange.upperBound, name, last.origin))
      }
    }

    // One pass that copies the tokens between aliases, so the time is linear in the query.
    var output: [QueryToken] = []
    output.reserveCapacity(rewritten.count + 2 * aliases.count)
    var copied = 0
    for alias in aliases.sorted(by: { $0.position < $1.position }) {
      output += rewritten[copied..<alias.position]
      output.append(.generated(.word, "AS", origin: alias.origin))
      output.append(
        .generated(.quotedIdentifier, QueryToken.quoted(alias.name), origin: alias.origin))
      copied = alias.position
    }
    output += rewritten[copied...]
    return output
  }

  /// Returns the query text from the first token of `range` up to the token after it, or to
  /// the end of the query, without trailing whitespace, as SQLite takes a column's name.
  private func text(of range: Range<Int>, in tokens: [QueryToken]) -> String {
    let start = tokens[range.lowerBound].origin
    var end = range.upperBound < tokens.count ? tokens[range.upperBound].origin : bytes.count
    // SQLite's sqlite3Isspace: space, \t, \n, \v, \f and \r.
    while end > start, bytes[end - 1] == 0x20 || (0x09...0x0D).contains(bytes[end - 1]) {
      end -= 1
    }
    return String(decoding: bytes[start..<end], as: UTF8.self)
  }
}
