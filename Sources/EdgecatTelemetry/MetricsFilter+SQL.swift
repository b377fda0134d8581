import EdgecatStore

extension MetricsFilter {
  /// Appends the filter's conditions and their values. `inference_logs` keeps the version as
  /// text and the rollups as an integer, so `versionAsText` picks which to bind.
  func appendConditions(
    to conditions: inout [String], _ values: inout [SQLValue], versionAsText: Bool
  ) {
    if let deviceID {
      conditions.append("device_id = ?")
      values.append(.text(deviceID))
    }
    if let modelName {
      conditions.append("model_name = ?")
      values.append(.text(modelName))
    }
    if let modelVersion {
      conditions.append("model_version = ?")
      values.append(versionAsText ? .text(String(modelVersion)) : .integer(modelVersion))
    }
  }

  static func whereClause(_ conditions: [String]) -> String {
    conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
  }
}
