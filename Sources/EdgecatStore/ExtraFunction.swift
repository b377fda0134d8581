/// A scalar function that the engine registers in SQLite and that checked expressions may call,
/// such as `current_user()` or `is_account_group_member('admins')`.
public struct ExtraFunction: Sendable, Hashable {
  /// The name that expressions call, compared ignoring ASCII case as SQLite does.
  public let name: String
  /// The number of arguments the function takes, or -1 for any number.
  public let argumentCount: Int32

  public init(name: String, argumentCount: Int32) {
    self.name = name
    self.argumentCount = argumentCount
  }
}
