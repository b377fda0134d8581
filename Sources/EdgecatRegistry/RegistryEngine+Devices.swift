import EdgecatCore
import EdgecatStore

extension RegistryEngine {
  /// Adds a device with its audit event. A taken id is ALREADY_EXISTS. The desired-state
  /// generation starts at the registration time in milliseconds, not 0, so that a device
  /// registered again under its old id gets generations above those its agent saw before, as
  /// long as it changed less than once per millisecond. An agent does not retry a generation
  /// that failed, so a repeated generation would leave its new desired state unapplied.
  public func registerDevice(_ details: DeviceMessage, audit: AuditRecord)
    async throws(ServiceError) -> DeviceRecord
  {
    try DeviceRules.validateID(details.deviceID)
    try DeviceRules.validate(details)
    let record = DeviceRecord(details: details, at: clock())
    let firstGeneration = Int64(max(0, record.createdAt * 1000))
    do {
      try await store.write { db in
        try db.execute(
          "INSERT INTO devices (device_id, device_group, details, desired_generation,"
            + " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
          .text(details.deviceID), .text(details.group), .blob(details.serializedBytes()),
          .integer(firstGeneration), .real(record.createdAt), .real(record.updatedAt))
        try AuditTrail.insert(audit, into: db)
      }
    } catch let error as StoreError where error.isConstraintViolation {
      throw .alreadyExists(
        "device \(details.deviceID) is already registered; update it or choose another id")
    } catch {
      throw storageError(error, "registering device \(details.deviceID)")
    }
    return record
  }

  /// Applies `change` to a device's admin fields with the audit event. A missing device is
  /// NOT_FOUND.
  public func updateDevice(
    _ id: String, audit: AuditRecord, _ change: @escaping @Sendable (inout DeviceMessage) -> Void
  ) async throws(ServiceError) -> DeviceRecord {
    let now = clock()
    do {
      return try await store.write { db in
        var record = try Self.requireDevice(id, in: db)
        change(&record.details)
        record.details.deviceID = id
        try DeviceRules.validate(record.details)
        record.updatedAt = now
        try db.execute(
          "UPDATE devices SET device_group = ?, details = ?, updated_at = ? WHERE device_id = ?",
          .text(record.details.group), .blob(record.details.serializedBytes()), .real(now),
          .text(id))
        try AuditTrail.insert(audit, into: db)
        return record
      }
    } catch {
      throw storageError(error, "updating device \(id)")
    }
  }

  /// Removes a device and its desired state with the audit event. A missing device is
  /// NOT_FOUND. Deployments keep their record of it, and a rollout counts it as failed.
  public func deregisterDevice(_ id: String, audit: AuditRecord) async throws(ServiceError) {
    do {
      try await store.write { db in
        _ = try Self.requireDevice(id, in: db)
        try db.execute("DELETE FROM desired_states WHERE device_id = ?", .text(id))
        try db.execute("DELETE FROM devices WHERE device_id = ?", .text(id))
        try AuditTrail.insert(audit, into: db)
      }
    } catch {
      throw storageError(error, "deregistering device \(id)")
    }
    desiredStates.changed([id])
  }

  /// Returns a device, or nil when none has that id.
  public func device(_ id: String) async throws(ServiceError) -> DeviceRecord? {
    do {
      return try await store.read { db in try Self.device(id, in: db) }
    } catch {
      throw storageError(error, "reading device \(id)")
    }
  }

  /// Returns a page of the devices that match `selector`, by id.
  public func devices(matching selector: DeviceSelector, pageSize: Int, pageToken: String)
    async throws(ServiceError) -> (devices: [DeviceRecord], nextPageToken: String)
  {
    let limit = try Paging.limit(pageSize)
    let list = "devices"
    let after = try Paging.cursor(in: pageToken, list: list) ?? ""
    let matched: [DeviceRecord]
    do {
      matched = try await store.read { db in
        try Self.devices(matching: selector, after: after, limit: limit + 1, in: db)
      }
    } catch {
      throw storageError(error, "listing devices")
    }
    // A page also ends before the stored details and reports pass `devicePageBytes`, so that
    // devices with long reports do not push a response past the clients' 4 MiB limit.
    var page: [DeviceRecord] = []
    var bytes = 0
    for record in matched.prefix(limit) {
      let size =
        record.details.serializedBytes().count + (record.report?.serializedBytes().count ?? 0)
      if !page.isEmpty, bytes + size > Self.devicePageBytes {
        return (page, Paging.token(list: list, cursor: page[page.count - 1].deviceID))
      }
      page.append(record)
      bytes += size
    }
    guard matched.count > limit else { return (page, "") }
    return (page, Paging.token(list: list, cursor: page[limit - 1].deviceID))
  }

  /// The maximum stored bytes of the device records in one page of a device listing.
  static let devicePageBytes = 1 << 20

  /// Stores a device's report, replacing the previous one, with the audit event. A missing
  /// device is NOT_FOUND. Returns the generation of the device's desired state.
  public func recordReport(_ report: DeviceReport, audit: AuditRecord)
    async throws(ServiceError) -> UInt64
  {
    let now = clock()
    do {
      return try await store.write { db in
        _ = try Self.requireDevice(report.deviceID, in: db)
        try db.execute(
          "UPDATE devices SET report = ?, reported_at = ? WHERE device_id = ?",
          .blob(report.serializedBytes()), .real(now), .text(report.deviceID))
        try AuditTrail.insert(audit, into: db)
        let row = try db.queryOne(
          "SELECT desired_generation FROM devices WHERE device_id = ?", .text(report.deviceID))
        return UInt64(row?[0].int64 ?? 0)
      }
    } catch {
      throw storageError(error, "recording the report of device \(report.deviceID)")
    }
  }

  static func device(_ id: String, in db: Database) throws -> DeviceRecord? {
    try db.queryOne(
      "SELECT \(DeviceRecord.columns) FROM devices WHERE device_id = ?", .text(id)
    ).flatMap(DeviceRecord.init(row:))
  }

  static func requireDevice(_ id: String, in db: Database) throws -> DeviceRecord {
    guard let record = try device(id, in: db) else {
      throw ServiceError.notFound("device \(id) is not registered; register it first")
    }
    return record
  }

  /// Returns up to `limit` matching devices with ids after `after`, by id. The group is
  /// filtered in SQL, labels and ids in memory, in batches.
  static func devices(
    matching selector: DeviceSelector, after: String, limit: Int, in db: Database
  ) throws -> [DeviceRecord] {
    var result: [DeviceRecord] = []
    var cursor = after
    while result.count < limit {
      let rows =
        selector.group.isEmpty
        ? try db.query(
          "SELECT \(DeviceRecord.columns), device_id FROM devices WHERE device_id > ?"
            + " ORDER BY device_id LIMIT 500", .text(cursor))
        : try db.query(
          "SELECT \(DeviceRecord.columns), device_id FROM devices WHERE device_group = ? AND"
            + " device_id > ? ORDER BY device_id LIMIT 500", .text(selector.group), .text(cursor))
      guard let last = rows.last?[5].string else { break }
      cursor = last
      for record in rows.compactMap(DeviceRecord.init(row:)) where record.matches(selector) {
        result.append(record)
        if result.count == limit { break }
      }
    }
    return result
  }
}
