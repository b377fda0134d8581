import CSQLite
import EdgecatLog

/// One numbered schema change. Version n is applied to a database whose `user_version` is
/// below n, and sets `user_version` to n in the same transaction.
public struct Migration: Sendable {
  /// A positive number; a list of migrations must be strictly increasing.
  public let version: Int
  /// SQL text, possibly several statements. `PRAGMA foreign_keys` has no effect inside it,
  /// because all pending migrations run in one transaction.
  public let sql: String

  public init(version: Int, sql: String) {
    self.version = version
    self.sql = sql
  }
}

/// Applies pending migrations in one BEGIN IMMEDIATE transaction.
enum Migrator {
  /// Applies the migrations above the database's `user_version` in order and returns the
  /// resulting version. On any failure the whole transaction is rolled back.
  static func apply(_ migrations: [Migration], to database: Database) throws -> Int {
    try validate(migrations)
    let target = migrations.last?.version ?? 0
    let before = try userVersion(database)
    try checkNotNewer(before, target)
    guard before < target else { return before }

    try database.execute("BEGIN IMMEDIATE")
    do {
      // Another process may have migrated between the first read and the lock.
      let current = try userVersion(database)
      try checkNotNewer(current, target)
      for migration in migrations where migration.version > current {
        do {
          try database.executeScript(migration.sql)
          try database.execute("PRAGMA user_version = \(migration.version)")
        } catch let error as StoreError {
          throw error.inMigration(migration.version)
        }
        database.logger.info("migration applied", ["version": migration.version])
      }
      try database.execute("COMMIT")
      database.logger.info("schema migrated", ["from": current, "to": target])
      return target
    } catch {
      rollBack(database)
      throw error
    }
  }

  static func userVersion(_ database: Database) throws -> Int {
    try database.queryOne("PRAGMA user_version")?[0].int ?? 0
  }

  private static func checkNotNewer(_ current: Int, _ target: Int) throws {
    guard current > target else { return }
    throw StoreError(
      code: SQLITE_ERROR,
      message: "database schema version \(current) is newer than this code's version \(target);"
        + " run a build that knows version \(current)",
      operation: "Store.open")
  }

  private static func validate(_ migrations: [Migration]) throws {
    var previous = 0
    for migration in migrations {
      guard migration.version > previous else {
        throw StoreError(
          code: SQLITE_MISUSE,
          message: "migration versions must be positive and strictly increasing, but"
            + " \(migration.version) follows \(previous)",
          operation: "Store.open")
      }
      previous = migration.version
    }
  }

  private static func rollBack(_ database: Database) {
    guard database.isInTransaction else { return }
    do {
      try database.execute("ROLLBACK")
    } catch {
      database.logger.error("rollback failed", ["error": "\(error)"])
    }
  }
}
