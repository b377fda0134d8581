/// Whether a write waits for its commit to reach the disk.
public enum CommitDurability: Sendable, Hashable {
  /// The commit is fsynced before the write returns, so it survives a crash of the process,
  /// of the operating system or a power loss.
  case synced
  /// The commit is in the WAL file, written but not fsynced, when the write returns. It survives
  /// a crash of the process, because the written pages are in the operating system's page cache.
  /// A crash of the operating system or a power loss may lose it, with every unsynced commit
  /// after the last synced commit or checkpoint, but does not corrupt the database. For data
  /// that is cheap to lose and written often, where an fsync per commit costs more than it saves.
  case unsynced
}
