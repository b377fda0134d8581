import EdgecatCore
import EdgecatProto
import EdgecatRPC
import EdgecatServiceKit
import EdgecatTelemetry

extension TelemetryServer {
  var metricsMethods: [RPCMethod] {
    [
      .unary(Self.path("GetMetrics")) {
        (request: Edgecat_Telemetry_V1_GetMetricsRequest, context) in
        let caller = try await caller(context)
        return try await auditedRead(
          caller, "GetMetrics", table.fullName,
          [("start", request.start), ("end", request.end), ("device_id", request.deviceID)]
        ) { () throws(RPCError) in
          let end = try request.end.isEmpty ? engine.clock() : time(request.end, field: "end")
          let start =
            try request.start.isEmpty ? end - 3600 : time(request.start, field: "start")
          guard start < end else {
            throw RPCError(
              .invalidArgument,
              "start \(DatetimeText.format(start)) is not before end \(DatetimeText.format(end));"
                + " give a window that ends after it starts")
          }
          let filter = try metricsFilter(
            device: request.deviceID, model: request.modelFullName,
            version: request.modelVersion)
          var response = try await windowMetrics(
            start: start, end: end, filter: filter, try await readAccess(caller))
          response.start = DatetimeText.format(start)
          response.end = DatetimeText.format(end)
          return response
        }
      },
      .unary(Self.path("GetDailyMetrics")) {
        (request: Edgecat_Telemetry_V1_GetDailyMetricsRequest, context) in
        let caller = try await caller(context)
        return try await auditedRead(
          caller, "GetDailyMetrics", table.fullName,
          [("model_full_name", request.modelFullName), ("device_id", request.deviceID)]
        ) { () throws(RPCError) in
          let filter = try metricsFilter(
            device: request.deviceID, model: request.modelFullName,
            version: request.modelVersion)
          let today = String(DatetimeText.format(engine.clock()).prefix(10))
          let endDay = try request.endDay.isEmpty ? today : day(request.endDay, field: "end_day")
          let startDay =
            try request.startDay.isEmpty
            ? String(DatetimeText.format(engine.clock() - 29 * 86_400).prefix(10))
            : day(request.startDay, field: "start_day")
          guard startDay <= endDay else {
            throw RPCError(
              .invalidArgument,
              "start_day \(startDay) is after end_day \(endDay); give days in order")
          }
          return try await dailyMetrics(
            startDay: startDay, endDay: endDay, filter: filter, try await readAccess(caller))
        }
      },
    ]
  }

  /// Parses datetime text or RFC 3339 in UTC into seconds since the Unix epoch.
  func time(_ text: String, field: String) throws(RPCError) -> Double {
    var normalized = text
    if normalized.hasSuffix("Z") { normalized.removeLast() }
    return try mapped { () throws(ServiceError) in
      try DatetimeText.parse(normalized, field: field)
    }
  }

  /// Checks a "YYYY-MM-DD" day and returns it. The error names the day as the caller wrote it.
  func day(_ text: String, field: String) throws(RPCError) -> String {
    let invalid = RPCError(
      .invalidArgument,
      "\(field) \"\(text.prefix(100))\" is not a day; use YYYY-MM-DD in UTC, such as 2030-01-31")
    guard text.utf8.count == 10 else { throw invalid }
    do {
      _ = try time(text + " 00:00:00", field: field)
    } catch {
      throw invalid
    }
    return text
  }

  func metricsFilter(device: String, model: String, version: Int64) throws(RPCError)
    -> MetricsFilter
  {
    guard version >= 0 else {
      throw RPCError(
        .invalidArgument, "model_version \(version) is negative; versions are numbered from 1")
    }
    guard version == 0 || !model.isEmpty else {
      throw RPCError(
        .invalidArgument,
        "model_version \(version) is given without model_full_name; name the model too")
    }
    return MetricsFilter(
      deviceID: device.isEmpty ? nil : device, modelName: model.isEmpty ? nil : model.lowercased(),
      modelVersion: version == 0 ? nil : version)
  }

  /// Metrics per device and model version over [start, end): from the rollups for a reader
  /// without row filter or masks, else from the rows the reader may see.
  func windowMetrics(
    start: Double, end: Double, filter: MetricsFilter, _ access: ReadAccess
  ) async throws(RPCError) -> Edgecat_Telemetry_V1_GetMetricsResponse {
    var response = Edgecat_Telemetry_V1_GetMetricsResponse()
    response.fromRollups = access.unrestricted
    response.metrics = try await mappedAsync { () async throws(ServiceError) in
      if access.unrestricted {
        return try await engine.metrics(start: start, end: end, filter: filter)
      }
      return try await queries.withView(of: hostedTable, access.access, for: access.identity) {
        database, source throws(ServiceError) in
        try MetricsFromRows.window(
          database, source: source, start: start, end: end, filter: filter)
      }
    }
    return response
  }

  func dailyMetrics(
    startDay: String, endDay: String, filter: MetricsFilter, _ access: ReadAccess
  ) async throws(RPCError) -> Edgecat_Telemetry_V1_GetDailyMetricsResponse {
    var response = Edgecat_Telemetry_V1_GetDailyMetricsResponse()
    response.fromRollups = access.unrestricted
    response.days = try await mappedAsync { () async throws(ServiceError) in
      if access.unrestricted {
        return try await engine.dailyMetrics(startDay: startDay, endDay: endDay, filter: filter)
      }
      return try await queries.withView(of: hostedTable, access.access, for: access.identity) {
        database, source throws(ServiceError) in
        try MetricsFromRows.daily(
          database, source: source, startDay: startDay, endDay: endDay, filter: filter)
      }
    }
    return response
  }

  /// The inference log as the query engine knows it.
  var hostedTable: HostedTable {
    HostedTable(
      fullName: table.fullName, rawTable: HostedLogTable.tableName,
      columns: InferenceLogColumns.names)
  }
}
