import EdgecatCore
import EdgecatStore

/// The rules for the alert subjects that a reader with a row filter or column masks sees. An
/// alert's value and samples come from every row. So such a reader sees an alert only when
/// each device behind it that has records has a row in the reader's view of the inference
/// log. Those devices are the subject's device, or every device that wrote the subject's
/// model version. An alert about a device without records, such as Offline, carries no row
/// data.
///
/// NOTE: a filter that hides some rows of a visible device, or a mask on a column that a
/// metric reads, still lets the reader see a value computed over the hidden or raw values.
/// Judging each alert over the reader's own rows would lift that.
public enum AlertSubjectVisibility {
  /// Returns the device that an alert subject names, or nil for a model version subject.
  public static func deviceID(ofSubject text: String) -> String? {
    AlertSubject(text: text)?.deviceID
  }

  /// Returns the model and version of a subject that names a model version and no device.
  public static func modelVersion(ofSubject text: String) -> (model: String, version: Int64)? {
    guard let subject = AlertSubject(text: text), subject.deviceID == nil,
      let model = subject.model, let version = subject.version
    else { return nil }
    return (model, version)
  }

  /// Returns those of `deviceIDs` that have at least one row in `source`, a view of the
  /// inference log as `MetricsFromRows` takes it. Each lookup uses the identity index, which
  /// starts with `device_id`.
  public static func devicesWithRows(
    _ database: Database, source: String, among deviceIDs: Set<String>
  ) throws(ServiceError) -> Set<String> {
    var found: Set<String> = []
    do {
      for deviceID in deviceIDs {
        let sql = "SELECT 1 FROM \(source) WHERE device_id = ? LIMIT 1"
        if try database.queryOne(sql, .text(deviceID)) != nil { found.insert(deviceID) }
      }
    } catch {
      throw .storage(error, operation: "finding the devices a reader sees", database: "telemetry")
    }
    return found
  }
}

extension TelemetryEngine {
  /// Returns those of `deviceIDs` that have stored records, including records that retention
  /// dropped since.
  public func devicesWithRecords(among deviceIDs: Set<String>) async throws(ServiceError)
    -> Set<String>
  {
    do {
      let rows = try await store.read { db in
        try db.query("SELECT device_id FROM device_activity")
      }
      return Set(rows.compactMap { $0[0].string }).intersection(deviceIDs)
    } catch {
      throw storageError(error, "finding the devices with records")
    }
  }

  /// Returns the devices that wrote records of a model version, from the hourly rollups, which
  /// retention keeps after it drops the raw records.
  public func devices(writing model: String, version: Int64) async throws(ServiceError)
    -> Set<String>
  {
    do {
      let rows = try await store.read { db in
        try db.query(
          "SELECT DISTINCT device_id FROM rollup_hourly WHERE model_name = ? AND model_version = ?",
          .text(model), .integer(version))
      }
      return Set(rows.compactMap { $0[0].string })
    } catch {
      throw storageError(error, "finding the devices of model \(model) version \(version)")
    }
  }
}
