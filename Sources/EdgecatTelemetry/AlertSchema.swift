import EdgecatStore

/// Alert rules, alerts and their transitions.
enum AlertSchema {
  static let migration = Migration(version: 3, sql: "CREATE TABLE alert_placeholder (x);")
}
