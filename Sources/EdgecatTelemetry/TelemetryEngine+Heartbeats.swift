import EdgecatCore
import EdgecatProto
import EdgecatStore

extension TelemetryEngine {
  /// Stores a device's heartbeat, replacing its previous one. A missing device id or a
  /// negative or non-finite figure is INVALID_ARGUMENT.
  public func recordHeartbeat(
    _ request: Edgecat_Telemetry_V1_HeartbeatRequest, receivedAt: Double
  ) async throws(ServiceError) {
    try Self.validate(request)
    do {
      try await store.write { db in
        try db.execute(
          "INSERT INTO heartbeats (device_id, received_at, sent_at_ms, agent_version,"
            + " cpu_percent, memory_bytes, disk_free_bytes, spool_bytes, spool_records,"
            + " spool_full) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (device_id) DO"
            + " UPDATE SET received_at = excluded.received_at, sent_at_ms = excluded.sent_at_ms,"
            + " agent_version = excluded.agent_version, cpu_percent = excluded.cpu_percent,"
            + " memory_bytes = excluded.memory_bytes, disk_free_bytes = excluded.disk_free_bytes,"
            + " spool_bytes = excluded.spool_bytes, spool_records = excluded.spool_records,"
            + " spool_full = excluded.spool_full",
          .text(request.deviceID), .real(receivedAt), .integer(request.sentAtMs),
          .text(request.agentVersion), .real(request.cpuPercent), .integer(request.memoryBytes),
          .integer(request.diskFreeBytes), .integer(request.spoolBytes),
          .integer(request.spoolRecords), SQLValue(request.spoolFull))
      }
    } catch {
      throw storageError(error, "recording the heartbeat of device \(request.deviceID)")
    }
  }

  /// Returns each device's last heartbeat by device id, with the received time of its last
  /// stored record.
  public func heartbeats() async throws(ServiceError) -> [String: HeartbeatRecord] {
    let rows: [Row]
    do {
      rows = try await store.read { db in
        try db.query(
          "SELECT h.device_id, h.received_at, h.sent_at_ms, h.agent_version, h.cpu_percent,"
            + " h.memory_bytes, h.disk_free_bytes, h.spool_bytes, h.spool_records, h.spool_full,"
            + " a.last_received_at FROM heartbeats h"
            + " LEFT JOIN device_activity a ON a.device_id = h.device_id")
      }
    } catch {
      throw storageError(error, "listing heartbeats")
    }
    var records: [String: HeartbeatRecord] = [:]
    for row in rows {
      records[row[0].string ?? ""] = HeartbeatRecord(
        receivedAt: row[1].double ?? 0, sentAtMilliseconds: row[2].int64 ?? 0,
        agentVersion: row[3].string ?? "", cpuPercent: row[4].double ?? 0,
        memoryBytes: row[5].int64 ?? 0, diskFreeBytes: row[6].int64 ?? 0,
        spoolBytes: row[7].int64 ?? 0, spoolRecords: row[8].int64 ?? 0,
        spoolFull: row[9].bool ?? false, lastRecordAt: row[10].string)
    }
    return records
  }

  private static func validate(
    _ request: Edgecat_Telemetry_V1_HeartbeatRequest
  ) throws(ServiceError) {
    guard !request.deviceID.isEmpty else {
      throw .invalidArgument("heartbeat device_id is empty; set it to the device's id")
    }
    guard request.cpuPercent.isFinite, request.cpuPercent >= 0 else {
      throw .invalidArgument(
        "heartbeat cpu_percent \(request.cpuPercent) of device \(request.deviceID) is invalid;"
          + " send a finite percentage of 0 or more")
    }
    let figures: [(String, Int64)] = [
      ("memory_bytes", request.memoryBytes), ("disk_free_bytes", request.diskFreeBytes),
      ("spool_bytes", request.spoolBytes), ("spool_records", request.spoolRecords),
    ]
    for (field, value) in figures where value < 0 {
      throw .invalidArgument(
        "heartbeat \(field) \(value) of device \(request.deviceID) is negative; send 0 or more")
    }
    // The fleet view returns every device's agent version in one message, so one long value
    // would push it past the clients' 4 MiB receive limit.
    guard request.agentVersion.utf8.count <= maxAgentVersionBytes else {
      throw .invalidArgument(
        "heartbeat agent_version of device \(request.deviceID) has"
          + " \(request.agentVersion.utf8.count) bytes; send a version such as 1.4.2, at most"
          + " \(maxAgentVersionBytes) bytes")
    }
  }

  /// The maximum agent version length in bytes.
  static let maxAgentVersionBytes = 128
}
