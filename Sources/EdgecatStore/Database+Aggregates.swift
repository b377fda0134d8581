import CSQLite

/// The running state of one aggregate function over one group of rows. SQLite creates one per
/// group with the factory given to `createAggregateFunction`, and uses it on one thread only.
public protocol AggregateState: AnyObject {
  /// Takes the arguments of one row. A thrown error fails the statement with its message.
  func step(_ arguments: [SQLValue]) throws
  /// Returns the group's result; called once, also for a group of no rows.
  func finish() throws -> SQLValue
}

/// The factory of one aggregate function registered by `createAggregateFunction`. SQLite holds
/// the only retain and releases it in `aggregateDestructor`.
final class AggregateBox {
  let makeState: () -> any AggregateState

  init(_ makeState: @escaping () -> any AggregateState) {
    self.makeState = makeState
  }
}

extension Database {
  /// Registers the aggregate SQL function `name` with `sqlite3_create_function_v2`, replacing a
  /// function of the same name and `argumentCount`. `makeState` makes the state of each group.
  /// Error messages follow `createFunction`. The states run on this connection's thread while
  /// a statement steps and must not use this `Database`.
  public func createAggregateFunction(
    name: String, argumentCount: Int32, _ makeState: @escaping () -> any AggregateState
  ) throws {
    let operation = "sqlite3_create_function_v2"
    let handle = try openHandle(for: operation)
    let box = Unmanaged.passRetained(AggregateBox(makeState)).toOpaque()
    // SQLite calls aggregateDestructor when registration fails too, so the retain above is
    // released on every path.
    let result = sqlite3_create_function_v2(
      handle, name, argumentCount, SQLITE_UTF8, box, nil, aggregateStep, aggregateFinal,
      aggregateDestructor)
    guard result == SQLITE_OK else {
      throw StoreError.from(handle, resultCode: result, operation: operation)
    }
  }
}

/// The state of one group, behind the pointer that SQLite keeps in the group's slot.
private final class StateHolder {
  let state: any AggregateState
  init(_ state: any AggregateState) { self.state = state }
}

/// Returns the slot that `sqlite3_aggregate_context` gives each group: a retained `AggregateState`, or
/// nil before the first row. `allocate` is false in `xFinal`, where no slot means no rows.
private func stateSlot(
  _ context: OpaquePointer, allocate: Bool
) -> UnsafeMutablePointer<UnsafeMutableRawPointer?>? {
  let size = allocate ? Int32(MemoryLayout<UnsafeMutableRawPointer?>.size) : 0
  return sqlite3_aggregate_context(context, size)?
    .assumingMemoryBound(to: UnsafeMutableRawPointer?.self)
}

private func makeState(_ context: OpaquePointer) -> (any AggregateState)? {
  guard let userData = sqlite3_user_data(context) else { return nil }
  return Unmanaged<AggregateBox>.fromOpaque(userData).takeUnretainedValue().makeState()
}

/// Passes one row to the group's state (`xStep`), making the state on the group's first row.
private func aggregateStep(
  context: OpaquePointer?, count: Int32, values: UnsafeMutablePointer<OpaquePointer?>?
) {
  guard let context else { return }
  guard let slot = stateSlot(context, allocate: true) else {
    sqlite3_result_error_nomem(context)
    return
  }
  if slot.pointee == nil {
    guard let state = makeState(context) else { return }
    slot.pointee = Unmanaged.passRetained(StateHolder(state)).toOpaque()
  }
  guard let stored = slot.pointee else { return }
  let state = Unmanaged<StateHolder>.fromOpaque(stored).takeUnretainedValue().state

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
    try state.step(arguments)
  } catch {
    setError(error, of: context)
  }
}

/// Sets the group's result and releases its state (`xFinal`). SQLite calls this for every
/// group that stepped, also when a statement is reset or finalized before it is done.
private func aggregateFinal(context: OpaquePointer?) {
  guard let context else { return }
  let state: (any AggregateState)?
  if let slot = stateSlot(context, allocate: false), let stored = slot.pointee {
    slot.pointee = nil
    state = Unmanaged<StateHolder>.fromOpaque(stored).takeRetainedValue().state
  } else {
    state = makeState(context)
  }
  guard let state else { return }
  do {
    try state.finish().setResult(of: context)
  } catch {
    setError(error, of: context)
  }
}

private func setError(_ error: any Error, of context: OpaquePointer) {
  let message = (error as? StoreError)?.message ?? String(describing: error)
  sqlite3_result_error(context, message, -1)
}

/// Releases the `AggregateBox` that `createAggregateFunction` retained (`xDestroy`).
private func aggregateDestructor(userData: UnsafeMutableRawPointer?) {
  guard let userData else { return }
  Unmanaged<AggregateBox>.fromOpaque(userData).release()
}
