/// The generated view over the day figures that a projected query reads. Its columns carry a
/// prefix that the projection refuses in a query, so that no output alias of the query can
/// shadow one.
enum DayFiguresView {
  static let prefix = "_edgecat_"

  /// Returns the quoted view column of day figures column `name`.
  static func column(_ name: String) -> String { QueryToken.quoted(prefix + name) }

  /// Returns the view's SELECT over the day figures in the attached `schema`. The day comes
  /// out as `+day`, an expression without the column's TEXT affinity, because the
  /// `date(timestamp)` it replaces has none: compared with a number, it must stay text.
  static func select(schema: String) -> String {
    let columns = (DayFiguresSchema.keyColumns + DayFiguresSchema.figureColumns).map {
      ($0 == "day" ? "+" : "") + QueryToken.quoted($0) + " AS " + column($0)
    }
    return "SELECT " + columns.joined(separator: ", ") + " FROM " + QueryToken.quoted(schema)
      + "." + QueryToken.quoted(DayFiguresSchema.table)
  }

  /// Returns the day figures as the query authorizer checks reads of them: a table under `table`'s full
  /// name whose raw table is the day figures.
  static func hostedTable(for table: HostedTable) -> HostedTable {
    HostedTable(
      fullName: table.fullName, rawTable: DayFiguresSchema.table,
      columns: DayFiguresSchema.keyColumns + DayFiguresSchema.figureColumns)
  }
}
