/// One inference record as the spool keeps it until telemetry acknowledges it. The device id,
/// the epoch and the seq complete its identity when it is sent.
public struct SpoolRecord: Sendable, Hashable {
  /// The record's number within the spool's epoch; 0 until the spool assigns it.
  public var seq: UInt64 = 0
  /// Time of the prediction by the device clock, in milliseconds since the Unix epoch.
  public var timestampMs: Int64
  public var modelFullName: String
  public var modelVersion: Int64
  public var prediction: Double
  public var confidence: Double?
  public var latencyMs: Double
  /// Hex SHA-256 of the model input.
  public var inputHash: String
  public var label: Double?

  public init(
    timestampMs: Int64, modelFullName: String, modelVersion: Int64, prediction: Double,
    confidence: Double? = nil, latencyMs: Double = 0, inputHash: String = "",
    label: Double? = nil
  ) {
    self.timestampMs = timestampMs
    self.modelFullName = modelFullName
    self.modelVersion = modelVersion
    self.prediction = prediction
    self.confidence = confidence
    self.latencyMs = latencyMs
    self.inputHash = inputHash
    self.label = label
  }

  /// Bytes the record counts against the spool's cap: its strings plus a fixed 64 bytes for
  /// the numbers and the row, an estimate of its size in SQLite and on the wire.
  var byteSize: Int64 {
    Int64(64 + modelFullName.utf8.count + inputHash.utf8.count)
  }
}

/// A true label for an earlier record, named by the record's (epoch, seq).
public struct SpoolLabel: Sendable, Hashable {
  /// The label's row id in the spool; 0 until the spool stores it.
  public var id: Int64 = 0
  public var epoch: String
  public var seq: UInt64
  public var label: Double

  public init(epoch: String, seq: UInt64, label: Double) {
    self.epoch = epoch
    self.seq = seq
    self.label = label
  }

  /// Bytes the label counts against the spool's cap: the epoch plus a fixed 32 bytes.
  var byteSize: Int64 { Int64(32 + epoch.utf8.count) }
}

/// Figures of the spool for heartbeats and logs.
public struct SpoolStatistics: Sendable, Equatable {
  /// Bytes of pending and quarantined records and labels, by the spool's estimate: the bytes
  /// that count against the cap.
  public var bytes: Int64
  /// Pending records, waiting for telemetry.
  public var records: Int64
  /// Pending labels, waiting for telemetry.
  public var labels: Int64
  /// Records and labels telemetry rejected on their own, kept in quarantine.
  public var quarantined: Int64
  /// True after a write was rejected for the byte cap, until records leave the spool or a
  /// later write fits.
  public var full: Bool

  public init(bytes: Int64, records: Int64, labels: Int64, quarantined: Int64 = 0, full: Bool) {
    self.bytes = bytes
    self.records = records
    self.labels = labels
    self.quarantined = quarantined
    self.full = full
  }
}
