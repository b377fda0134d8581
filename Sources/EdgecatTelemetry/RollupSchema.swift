import EdgecatStore

/// The rollups that metrics read for callers without a row filter or mask.
enum RollupSchema {
  static let migration = Migration(version: 2, sql: "CREATE TABLE rollup_placeholder (x);")
}
