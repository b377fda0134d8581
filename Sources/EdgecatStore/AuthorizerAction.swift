import CSQLite

/// The action that SQLite requests authorization for, one case per `SQLITE_*` action code that
/// SQLite 3.40 passes to `sqlite3_set_authorizer` callbacks.
public enum AuthorizerAction: Sendable, Hashable {
  case createIndex
  case createTable
  case createTemporaryIndex
  case createTemporaryTable
  case createTemporaryTrigger
  case createTemporaryView
  case createTrigger
  case createView
  case delete
  case dropIndex
  case dropTable
  case dropTemporaryIndex
  case dropTemporaryTable
  case dropTemporaryTrigger
  case dropTemporaryView
  case dropTrigger
  case dropView
  case insert
  case pragma
  case read
  case select
  case transaction
  case update
  case attach
  case detach
  case alterTable
  case reindex
  case analyze
  case createVirtualTable
  case dropVirtualTable
  case function
  case savepoint
  case recursive
  /// An action code that this enum does not name, such as one added by a later SQLite.
  case other(Int32)

  /// Creates the case for an action code, such as `SQLITE_READ` (20).
  public init(code: Int32) {
    self = AuthorizerAction.namedByCode[code] ?? .other(code)
  }

  /// The SQLite action code, such as `SQLITE_READ` (20).
  public var code: Int32 {
    switch self {
    case .createIndex: SQLITE_CREATE_INDEX
    case .createTable: SQLITE_CREATE_TABLE
    case .createTemporaryIndex: SQLITE_CREATE_TEMP_INDEX
    case .createTemporaryTable: SQLITE_CREATE_TEMP_TABLE
    case .createTemporaryTrigger: SQLITE_CREATE_TEMP_TRIGGER
    case .createTemporaryView: SQLITE_CREATE_TEMP_VIEW
    case .createTrigger: SQLITE_CREATE_TRIGGER
    case .createView: SQLITE_CREATE_VIEW
    case .delete: SQLITE_DELETE
    case .dropIndex: SQLITE_DROP_INDEX
    case .dropTable: SQLITE_DROP_TABLE
    case .dropTemporaryIndex: SQLITE_DROP_TEMP_INDEX
    case .dropTemporaryTable: SQLITE_DROP_TEMP_TABLE
    case .dropTemporaryTrigger: SQLITE_DROP_TEMP_TRIGGER
    case .dropTemporaryView: SQLITE_DROP_TEMP_VIEW
    case .dropTrigger: SQLITE_DROP_TRIGGER
    case .dropView: SQLITE_DROP_VIEW
    case .insert: SQLITE_INSERT
    case .pragma: SQLITE_PRAGMA
    case .read: SQLITE_READ
    case .select: SQLITE_SELECT
    case .transaction: SQLITE_TRANSACTION
    case .update: SQLITE_UPDATE
    case .attach: SQLITE_ATTACH
    case .detach: SQLITE_DETACH
    case .alterTable: SQLITE_ALTER_TABLE
    case .reindex: SQLITE_REINDEX
    case .analyze: SQLITE_ANALYZE
    case .createVirtualTable: SQLITE_CREATE_VTABLE
    case .dropVirtualTable: SQLITE_DROP_VTABLE
    case .function: SQLITE_FUNCTION
    case .savepoint: SQLITE_SAVEPOINT
    case .recursive: SQLITE_RECURSIVE
    case .other(let code): code
    }
  }

  private static let named: [AuthorizerAction] = [
    .createIndex, .createTable, .createTemporaryIndex, .createTemporaryTable,
    .createTemporaryTrigger, .createTemporaryView, .createTrigger, .createView, .delete, .dropIndex,
    .dropTable, .dropTemporaryIndex, .dropTemporaryTable, .dropTemporaryTrigger, .dropTemporaryView,
    .dropTrigger, .dropView, .insert, .pragma, .read, .select, .transaction, .update, .attach,
    .detach, .alterTable, .reindex, .analyze, .createVirtualTable, .dropVirtualTable, .function,
    .savepoint, .recursive,
  ]

  private static let namedByCode = Dictionary(
    uniqueKeysWithValues: named.map { ($0.code, $0) })
}
