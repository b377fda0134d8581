import CSQLite

/// The body of one function registered by `createFunction`. SQLite holds the only retain and
/// releases it in `functionDestructor`.
final class FunctionBox {
  let body: ([SQLValue]) throws -> SQLValue

  init(_ body: @escaping ([SQLValue]) throws -> SQLValue) {
    self.body = body
  }
}

extension Database {
  /// Registers `body` as the scalar SQL function `name` with `sqlite3_create_function_v2`,
  /// replacing a function of the same name and `argumentCount`.
  ///
  /// `argumentCount` is the number of arguments the function takes, or -1 for any number.
  /// Set `deterministic` (`SQLITE_DETERMINISTIC`) only when the result depends on the
  /// arguments alone, because SQLite may then evaluate a call with constant arguments once per
  /// statement and allows the function in indexes and CHECK constraints. A body that throws
  /// fails the statement with `sqlite3_result_error`: the message is the `message` of a
  /// `StoreError` and the `String(describing:)` of any other error. The body runs on this
  /// connection's thread while a statement steps and must not use this `Database`. SQLite
  /// keeps the body until the function is replaced or the connection closes.
  public func createFunction(
    name: String, argumentCount: Int32, deterministic: Bool,
    _ body: @escaping ([SQLValue]) throws -> SQLValue
  ) throws {
    let operation = "sqlite3_create_function_v2"
    let handle = try openHandle(for: operation)
    let maximumArguments = sqlite3_limit(handle, SQLITE_LIMIT_FUNCTION_ARG, -1)
    guard (-1...maximumArguments).contains(argumentCount) else {
      throw StoreError(
        code: SQLITE_MISUSE,
        message: "function \(name) has argumentCount \(argumentCount); use -1 for any number "
          + "or 0 through \(maximumArguments)",
        operation: operation)
    }
    guard (1...255).contains(name.utf8.count) else {
      throw StoreError(
        code: SQLITE_MISUSE,
        message: "function name \"\(name)\" has \(name.utf8.count) bytes; use 1 through 255",
        operation: operation)
    }

    var flags = SQLITE_UTF8
    if deterministic { flags |= SQLITE_DETERMINISTIC }
    let box = Unmanaged.passRetained(FunctionBox(body)).toOpaque()
    // sqlite3.h documents that SQLite calls functionDestructor when registration fails too, so
    // the retain above is released on every path.
    let result = sqlite3_create_function_v2(
      handle, name, argumentCount, flags, box, functionCallback, nil, nil, functionDestructor)
    guard result == SQLITE_OK else {
      throw StoreError.from(handle, resultCode: result, operation: operation)
    }
  }
}

/// Runs the `FunctionBox` in the function's user data for one call (`xFunc`).
private func functionCallback(
  context: OpaquePointer?, count: Int32, values: UnsafeMutablePointer<OpaquePointer?>?
) {
  guard let context, let userData = sqlite3_user_data(context) else { return }
  let box = Unmanaged<FunctionBox>.fromOpaque(userData).takeUnretainedValue()

  var arguments: [SQLValue] = []
  arguments.reserveCapacity(Int(count))
  for index in 0..<Int(count) {
    guard let value = values?[index], let argument = SQLValue(functionArgument: value) else {
      sqlite3_result_error_nomem(context)
      return
    }
    arguments.append(argument)
  }

  do {
    try box.body(arguments).setResult(of: context)
  } catch let error as StoreError {
    sqlite3_result_error(context, error.message, -1)
  } catch {
    sqlite3_result_error(context, String(describing: error), -1)
  }
}

/// Releases the `FunctionBox` that `createFunction` retained (`xDestroy`).
private func functionDestructor(userData: UnsafeMutableRawPointer?) {
  guard let userData else { return }
  Unmanaged<FunctionBox>.fromOpaque(userData).release()
}
