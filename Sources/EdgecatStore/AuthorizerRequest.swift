import CSQLite

/// One authorization request that SQLite makes while it prepares a statement. It contains the
/// action and the up to four strings that `sqlite3_set_authorizer` passes with it, each
/// possibly nil.
public struct AuthorizerRequest: Sendable, Hashable {
  public let action: AuthorizerAction
  /// The first detail, whose meaning depends on the action: the table of `.read`, `.insert`,
  /// `.update` and `.delete`, the index, table, trigger or view created or dropped, the pragma
  /// name, the transaction or savepoint operation, or the file of `.attach`.
  public let firstArgument: String?
  /// The second detail: the column of `.read` and `.update`, the function of `.function`, the
  /// table of an index or trigger, the pragma's argument, or the savepoint name.
  public let secondArgument: String?
  /// The schema the action applies to, such as "main" or "temp".
  public let databaseName: String?
  /// The innermost trigger or view whose code causes the action, or nil for the statement's own.
  public let triggerOrViewName: String?

  public init(
    action: AuthorizerAction, firstArgument: String? = nil, secondArgument: String? = nil,
    databaseName: String? = nil, triggerOrViewName: String? = nil
  ) {
    self.action = action
    self.firstArgument = firstArgument
    self.secondArgument = secondArgument
    self.databaseName = databaseName
    self.triggerOrViewName = triggerOrViewName
  }

  /// The table of a `.read`, `.insert`, `.update` or `.delete`; nil for other actions.
  public var tableName: String? {
    switch action {
    case .read, .insert, .update, .delete: firstArgument
    default: nil
    }
  }

  /// The column of a `.read` or `.update`; nil for other actions. SQLite passes an empty
  /// string for a table that a statement names but reads no column of, and "ROWID" for the
  /// rowid of a table without an INTEGER PRIMARY KEY.
  public var columnName: String? {
    switch action {
    case .read, .update: secondArgument
    default: nil
    }
  }

  /// The function of a `.function` request, as it was registered (lowercase for built-ins).
  public var functionName: String? { action == .function ? secondArgument : nil }
}

/// An authorizer's decision on one `AuthorizerRequest`.
public enum AuthorizerDecision: Sendable, Hashable {
  /// Allows the action (`SQLITE_OK`).
  case allow
  /// Fails preparation of the whole statement with "not authorized" (`SQLITE_DENY`).
  case deny
  /// Disallows the action but lets preparation continue (`SQLITE_IGNORE`): a `.read` reads
  /// NULL in place of the column and a `.function` call becomes NULL. The
  /// `sqlite3_set_authorizer` documentation describes the effect on other actions.
  case ignore

  /// The value the authorizer callback returns to SQLite.
  var resultCode: Int32 {
    switch self {
    case .allow: SQLITE_OK
    case .deny: SQLITE_DENY
    case .ignore: SQLITE_IGNORE
    }
  }
}
