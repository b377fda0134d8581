import EdgecatCore
import EdgecatProto

/// Makes inference log records like a fleet's: one device per batch, timestamps moving
/// forward, a few model versions, some labelled.
struct RecordFactory {
  static let hash = String(repeating: "a1", count: 32)
  var state: UInt64

  mutating func random() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  mutating func unit() -> Double { Double(random() >> 11) / Double(1 << 53) }

  /// A batch of `count` records of `device` numbered from `firstSeq`, stamped from
  /// `startMilliseconds` every `stepMilliseconds`.
  mutating func batch(
    device: String, epoch: String, firstSeq: UInt64, count: Int, startMilliseconds: Int64,
    stepMilliseconds: Int64, batchID: UInt64
  ) -> Edgecat_Telemetry_V1_IngestBatch {
    var batch = Edgecat_Telemetry_V1_IngestBatch()
    batch.batchID = batchID
    batch.records.reserveCapacity(count)
    let version = Int64(1 + firstSeq / 5000 % 2)
    for index in 0..<count {
      var record = Edgecat_Telemetry_V1_InferenceLogRecord()
      record.deviceID = device
      record.epoch = epoch
      record.seq = firstSeq + UInt64(index)
      record.timestampMs = startMilliseconds + Int64(index) * stepMilliseconds
      record.modelFullName = "main.ml.defects"
      record.modelVersion = version
      record.prediction = Double(random() % 2)
      record.confidence = 0.5 + unit() / 2
      record.latencyMs = 5 + 20 * unit() * unit()
      record.inputHash = Self.hash
      if random() % 10 == 0 { record.label = Double(random() % 2) }
      batch.records.append(record)
    }
    return batch
  }
}
