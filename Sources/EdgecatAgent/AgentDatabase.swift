import EdgecatStore

/// Opens the agent's SQLite database, `agent.db` in the data folder, in WAL mode with
/// synchronous=FULL, so a commit survives kill -9 and power loss once `write` returns.
public enum AgentDatabase {
  /// The file name inside the data folder.
  public static let fileName = "agent.db"

  /// Opens or creates the database with one reader connection, which is all the agent needs
  /// and keeps its idle memory low.
  public static func open(dataDirectory: String) async throws -> Store {
    try await Store.open(
      path: dataDirectory + "/" + fileName, migrations: AgentSchema.migrations,
      options: StoreOptions(readerCount: 1, maxBatchSize: 32, statementCacheCapacity: 32))
  }
}
