import EdgecatStore

/// Persists the model slots and the agent's counters in the agent database.
struct ModelSlotStore: Sendable {
  let store: Store

  /// Returns the slots and the counters, such as "assignment_generation"; a counter never
  /// saved is missing.
  func load() async throws -> (slots: ModelSlots, counters: [String: UInt64]) {
    try await store.read { database in
      var slots = ModelSlots()
      for row in try database.query(
        "SELECT slot, model_full_name, version, sha256, format, desired_generation"
          + " FROM model_slots")
      {
        let model = InstalledModel(
          modelFullName: row[1].string ?? "", version: row[2].int64 ?? 0,
          sha256: row[3].string ?? "", format: row[4].string ?? "",
          desiredGeneration: UInt64(bitPattern: row[5].int64 ?? 0))
        switch row[0].string {
        case "running": slots.running = model
        case "previous": slots.previous = model
        case "candidate": slots.candidate = model
        default: continue
        }
      }
      var counters: [String: UInt64] = [:]
      for row in try database.query("SELECT name, value FROM agent_counters") {
        counters[row[0].string ?? ""] = UInt64(bitPattern: row[1].int64 ?? 0)
      }
      return (slots, counters)
    }
  }

  /// Replaces every slot and sets `counters` in one commit.
  func save(_ slots: ModelSlots, counters: [String: UInt64]) async throws {
    try await store.write { database in
      try database.execute("DELETE FROM model_slots")
      let named: [(String, InstalledModel?)] = [
        ("running", slots.running), ("previous", slots.previous),
        ("candidate", slots.candidate),
      ]
      for case (let slot, let model?) in named {
        try database.execute(
          "INSERT INTO model_slots (slot, model_full_name, version, sha256, format,"
            + " desired_generation) VALUES (?, ?, ?, ?, ?, ?)",
          [
            .text(slot), .text(model.modelFullName), .integer(model.version),
            .text(model.sha256), .text(model.format),
            .integer(Int64(bitPattern: model.desiredGeneration)),
          ])
      }
      for (name, value) in counters {
        try database.execute(
          "INSERT INTO agent_counters (name, value) VALUES (?, ?)"
            + " ON CONFLICT (name) DO UPDATE SET value = excluded.value",
          .text(name), .integer(Int64(bitPattern: value)))
      }
    }
  }
}
