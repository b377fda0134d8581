import CSQLite

/// The handler a `Database` installed with `sqlite3_set_authorizer`.
final class AuthorizerBox {
  let handler: (AuthorizerRequest) -> AuthorizerDecision

  init(_ handler: @escaping (AuthorizerRequest) -> AuthorizerDecision) {
    self.handler = handler
  }
}

extension Database {
  /// Installs `handler` with `sqlite3_set_authorizer`, replacing any earlier one.
  ///
  /// SQLite calls the handler on this connection's thread while it prepares a statement, and
  /// again if a schema change makes `sqlite3_step` prepare it anew. The handler must not use this
  /// `Database`. Installing finalizes the cached statements, so every statement that runs
  /// afterwards is authorized by `handler`. The connection keeps the handler until
  /// `removeAuthorizer()`, the next `setAuthorizer` or `close()`.
  public func setAuthorizer(_ handler: @escaping (AuthorizerRequest) -> AuthorizerDecision) throws {
    let handle = try openHandle(for: "sqlite3_set_authorizer")
    let box = AuthorizerBox(handler)
    let result = sqlite3_set_authorizer(
      handle, authorizerCallback, Unmanaged.passUnretained(box).toOpaque())
    // SQLite's main.c returns SQLITE_OK unless a build with SQLITE_ENABLE_API_ARMOR finds a
    // bad handle, and this handle is open.
    precondition(result == SQLITE_OK, "sqlite3_set_authorizer returned \(result)")
    authorizer = box
    finalizeCachedStatements()
  }

  /// Removes the handler installed by `setAuthorizer`, so SQLite allows every action again, and
  /// finalizes the cached statements it authorized. Does nothing on a closed connection.
  public func removeAuthorizer() {
    guard let handle else { return }
    sqlite3_set_authorizer(handle, nil, nil)
    authorizer = nil
    finalizeCachedStatements()
  }

  func finalizeCachedStatements() {
    for statement in statements.values { statement.finalize() }
    statements.removeAll()
  }
}

/// Forwards one `sqlite3_set_authorizer` callback to the `AuthorizerBox` in `userData`, which
/// the `Database` keeps alive while the callback is installed.
private func authorizerCallback(
  userData: UnsafeMutableRawPointer?, action: Int32, first: UnsafePointer<CChar>?,
  second: UnsafePointer<CChar>?, database: UnsafePointer<CChar>?,
  triggerOrView: UnsafePointer<CChar>?
) -> Int32 {
  guard let userData else { return SQLITE_DENY }
  let box = Unmanaged<AuthorizerBox>.fromOpaque(userData).takeUnretainedValue()
  let request = AuthorizerRequest(
    action: AuthorizerAction(code: action), firstArgument: first.map { String(cString: $0) },
    secondArgument: second.map { String(cString: $0) },
    databaseName: database.map { String(cString: $0) },
    triggerOrViewName: triggerOrView.map { String(cString: $0) })
  return box.handler(request).resultCode
}
