import EdgecatCore
import EdgecatRPC
import EdgecatServiceKit
import EdgecatTelemetry

extension TelemetryServer {
  /// Returns the entries whose alert the reader may see: every one for a reader without a row
  /// filter or masks, else those whose devices with records all have a row in the reader's
  /// view of the inference log (`AlertSubjectVisibility`).
  func visibleAlerts<Entry: Sendable>(
    _ entries: [Entry], subject: (Entry) -> String, _ access: ReadAccess
  ) async throws(RPCError) -> [Entry] {
    guard !access.unrestricted else { return entries }

    var devicesBySubject: [String: Set<String>] = [:]
    for text in Set(entries.map(subject)) {
      if let deviceID = AlertSubjectVisibility.deviceID(ofSubject: text) {
        devicesBySubject[text] = [deviceID]
      } else if let (model, version) = AlertSubjectVisibility.modelVersion(ofSubject: text) {
        devicesBySubject[text] = try await mappedAsync { () async throws(ServiceError) in
          try await engine.devices(writing: model, version: version)
        }
      }
    }

    let named = devicesBySubject.values.reduce(into: Set<String>()) { $0.formUnion($1) }
    let withRecords = try await mappedAsync { () async throws(ServiceError) in
      try await engine.devicesWithRecords(among: named)
    }
    var visible = named.subtracting(withRecords)
    if !withRecords.isEmpty {
      let seen = try await mappedAsync { () async throws(ServiceError) in
        try await queries.withView(of: hostedTable, access.access, for: access.identity) {
          database, source throws(ServiceError) in
          try AlertSubjectVisibility.devicesWithRows(database, source: source, among: withRecords)
        }
      }
      visible.formUnion(seen)
    }
    return entries.filter { entry in
      guard let devices = devicesBySubject[subject(entry)], !devices.isEmpty else { return false }
      return devices.isSubset(of: visible)
    }
  }
}
