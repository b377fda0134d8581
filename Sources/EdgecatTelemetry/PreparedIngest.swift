import EdgecatCore
import EdgecatProto

/// A validated batch with the values the writer thread binds, computed on the caller's thread
/// so that the single writer thread does as little per record as possible.
struct PreparedIngest: Sendable {
  let records: [Edgecat_Telemetry_V1_InferenceLogRecord]
  let labels: [Edgecat_Telemetry_V1_LabelUpdate]
  /// Per record: the model name in lower case, the region (nil when the device has none)
  /// and whether its timestamp is ahead of the receive time by more than the limit.
  let modelNames: [String]
  let regions: [String?]
  let futureClock: [Bool]
  /// Per record, `TimestampText.length` bytes of its timestamp as datetime text.
  let timestampText: [UInt8]
  let receivedAtText: String
  let futureClockCount: Int64
  let audit: AuditRecord?

  /// Validates and prepares `batch`; the first invalid entry throws INVALID_ARGUMENT.
  init(
    _ batch: Edgecat_Telemetry_V1_IngestBatch, regions regionByDevice: [String: String],
    receivedAt: Double, futureClockSeconds: Double, audit: AuditRecord?
  ) throws(ServiceError) {
    let records = batch.records
    var modelNames: [String] = []
    var regions: [String?] = []
    var futureClock: [Bool] = []
    modelNames.reserveCapacity(records.count)
    regions.reserveCapacity(records.count)
    futureClock.reserveCapacity(records.count)
    var previousModel: (raw: String, folded: String)?
    var previousRegion: (device: String, region: String?)?
    var futureCount: Int64 = 0
    let futureLimit = receivedAt + futureClockSeconds
    for (index, record) in records.enumerated() {
      let model = try IngestValidation.check(record, at: index, previous: previousModel)
      previousModel = (record.modelFullName, model)
      modelNames.append(model)
      if let previousRegion, previousRegion.device == record.deviceID {
        regions.append(previousRegion.region)
      } else {
        let region = regionByDevice[record.deviceID]
        previousRegion = (record.deviceID, region)
        regions.append(region)
      }
      let ahead = Double(record.timestampMs) / 1000 > futureLimit
      futureClock.append(ahead)
      if ahead { futureCount += 1 }
    }
    for (index, update) in batch.labels.enumerated() {
      try IngestValidation.check(update, at: index)
    }

    self.records = records
    self.labels = batch.labels
    self.modelNames = modelNames
    self.regions = regions
    self.futureClock = futureClock
    self.timestampText = [UInt8](
      unsafeUninitializedCapacity: records.count * TimestampText.length
    ) { buffer, count in
      for (index, record) in records.enumerated() {
        TimestampText.write(
          milliseconds: record.timestampMs,
          to: buffer.baseAddress! + index * TimestampText.length)
      }
      count = records.count * TimestampText.length
    }
    self.receivedAtText = DatetimeText.format(receivedAt)
    self.futureClockCount = futureCount
    self.audit = audit
  }
}
