import EdgecatProto

/// A device's last heartbeat, with the received time of its last inference log record.
public struct HeartbeatRecord: Sendable, Equatable {
  /// Server clock at receipt, in seconds since the Unix epoch.
  public var receivedAt: Double
  /// Device clock at send time, in milliseconds since the Unix epoch.
  public var sentAtMilliseconds: Int64
  public var agentVersion: String
  public var cpuPercent: Double
  public var memoryBytes: Int64
  public var diskFreeBytes: Int64
  public var spoolBytes: Int64
  public var spoolRecords: Int64
  public var spoolFull: Bool
  /// Datetime text (UTC) of when the device's last stored record was received; nil when the
  /// engine has stored none from it.
  public var lastRecordAt: String?

  public init(
    receivedAt: Double, sentAtMilliseconds: Int64, agentVersion: String, cpuPercent: Double,
    memoryBytes: Int64, diskFreeBytes: Int64, spoolBytes: Int64, spoolRecords: Int64,
    spoolFull: Bool, lastRecordAt: String?
  ) {
    self.receivedAt = receivedAt
    self.sentAtMilliseconds = sentAtMilliseconds
    self.agentVersion = agentVersion
    self.cpuPercent = cpuPercent
    self.memoryBytes = memoryBytes
    self.diskFreeBytes = diskFreeBytes
    self.spoolBytes = spoolBytes
    self.spoolRecords = spoolRecords
    self.spoolFull = spoolFull
    self.lastRecordAt = lastRecordAt
  }
}

/// A writer of the inference log: one device sending records of one model version.
public struct InferenceWriter: Sendable, Hashable {
  public var device: String
  /// The model as "catalog.schema.model", in lower case.
  public var model: String
  public var version: Int64

  public init(device: String, model: String, version: Int64) {
    self.device = device
    self.model = model
    self.version = version
  }
}

/// The outcome of one ingested batch.
public struct IngestResult: Sendable {
  /// The acknowledgement to send, with the batch id, status code and counts.
  public var ack: Edgecat_Telemetry_V1_IngestAck
  /// Writers whose records this engine stored for the first time since it opened, so the
  /// caller can record their lineage. A writer may appear again after a restart.
  public var newWriters: [(device: String, model: String, version: Int64)]

  public init(
    ack: Edgecat_Telemetry_V1_IngestAck,
    newWriters: [(device: String, model: String, version: Int64)]
  ) {
    self.ack = ack
    self.newWriters = newWriters
  }
}

/// The raw records that one retention run dropped.
public struct RetentionResult: Sendable, Equatable {
  /// Received days, "YYYY-MM-DD" in UTC, whose raw records were dropped, ascending.
  public var days: [String]
  public var records: Int64

  public init(days: [String], records: Int64) {
    self.days = days
    self.records = records
  }
}
