import EdgecatStore

extension DecisionLog {
  private static let insertBatch =
    "INSERT INTO decision_batches (first_time, last_time, count, body) VALUES (?, ?, ?, ?)"
  private static let insertName =
    "INSERT OR IGNORE INTO decision_batch_names (field, name, batch) VALUES (?, ?, ?)"

  /// Writes the queue taken by one flush, in time order, as `decision_batches` rows of at most
  /// `DecisionBatch.maximumRows` decisions each. Runs on the store's writer thread, which
  /// builds the reasons that the request path did not, once per kind.
  static func insert(_ ordered: [QueuedDecision], into db: Database) throws {
    var start = 0
    while start < ordered.count {
      let end = min(start + DecisionBatch.maximumRows, ordered.count)
      var writer = DecisionBatchWriter(rowCapacity: end - start)
      for index in start..<end { writer.append(ordered[index]) }
      try write(writer, into: db)
      start = end
    }
  }

  /// Inserts one batch and lists its principals and securables for the listing filters.
  static func write(_ writer: DecisionBatchWriter, into db: Database) throws {
    guard writer.count > 0 else { return }
    let statement = try db.prepared(insertBatch)
    defer { statement.reset() }
    try statement.bind(writer.firstTime, at: 1)
    try statement.bind(writer.lastTime, at: 2)
    try statement.bind(Int64(writer.count), at: 3)
    try statement.bind(writer.body(), at: 4)
    while try statement.step() {}
    try insertNames(of: writer.kinds, batch: db.lastInsertRowID, into: db)
  }

  static func insertNames(of kinds: [DecisionKind], batch: Int64, into db: Database) throws {
    var seen: Set<String> = []
    var names: [(DecisionBatch.NameField, String)] = []
    for kind in kinds {
      if seen.insert("p" + kind.principal).inserted { names.append((.principal, kind.principal)) }
      if seen.insert("s" + kind.securable).inserted { names.append((.securable, kind.securable)) }
    }
    let statement = try db.prepared(insertName)
    for (field, name) in names {
      defer { statement.reset() }
      try statement.bind(field.rawValue, at: 1)
      try statement.bind(name, at: 2)
      try statement.bind(batch, at: 3)
      while try statement.step() {}
    }
  }

  /// Returns `queue` ordered by time, keeping queue order among equal times.
  static func sortedByTime(_ queue: [QueuedDecision]) -> [QueuedDecision] {
    queue.enumerated().sorted { left, right in
      left.element.time != right.element.time
        ? left.element.time < right.element.time : left.offset < right.offset
    }.map(\.element)
  }
}
