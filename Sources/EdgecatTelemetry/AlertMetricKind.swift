import EdgecatProto

/// The alert metrics this engine computes, with the scopes each one applies to.
enum AlertMetricKind: CaseIterable {
  case accuracy
  case p99Latency
  case offline
  case confidenceStddev
  case versionMismatch

  init?(_ metric: Edgecat_Telemetry_V1_AlertMetric) {
    switch metric {
    case .accuracy: self = .accuracy
    case .p99Latency: self = .p99Latency
    case .offline: self = .offline
    case .confidenceStddev: self = .confidenceStddev
    case .versionMismatch: self = .versionMismatch
    default: return nil
    }
  }

  /// The scopes a rule of this metric may have. Accuracy and latency judge a model version
  /// across the fleet or on each device; a device-scoped alert of them names both.
  var scopes: [Edgecat_Telemetry_V1_AlertScope] {
    switch self {
    case .accuracy, .p99Latency: [.modelVersion, .device]
    case .confidenceStddev: [.modelVersion]
    case .offline, .versionMismatch: [.device]
    }
  }

  /// Whether `window_seconds` bounds the records the metric reads.
  var hasWindow: Bool {
    switch self {
    case .accuracy, .p99Latency, .confidenceStddev: true
    case .offline, .versionMismatch: false
    }
  }

  /// Whether every alert of this metric names a model version, which a rollback needs.
  var subjectHasModelVersion: Bool { hasWindow }

  var protoName: String {
    switch self {
    case .accuracy: "ALERT_METRIC_ACCURACY"
    case .p99Latency: "ALERT_METRIC_P99_LATENCY"
    case .offline: "ALERT_METRIC_OFFLINE"
    case .confidenceStddev: "ALERT_METRIC_CONFIDENCE_STDDEV"
    case .versionMismatch: "ALERT_METRIC_VERSION_MISMATCH"
    }
  }

  /// The metric as a person reads it in a rule's description, such as "accuracy".
  var label: String {
    switch self {
    case .accuracy: "accuracy"
    case .p99Latency: "p99 latency ms"
    case .offline: "seconds since heartbeat"
    case .confidenceStddev: "confidence stddev"
    case .versionMismatch: "version mismatch"
    }
  }
}

/// Proto names of the alert enums, for messages.
enum AlertNames {
  static func scope(_ scope: Edgecat_Telemetry_V1_AlertScope) -> String {
    switch scope {
    case .modelVersion: "ALERT_SCOPE_MODEL_VERSION"
    case .device: "ALERT_SCOPE_DEVICE"
    case .unspecified: "ALERT_SCOPE_UNSPECIFIED"
    case .unrecognized(let value): String(value)
    }
  }

  static func state(_ state: Edgecat_Telemetry_V1_AlertState) -> String {
    switch state {
    case .inactive: "ALERT_STATE_INACTIVE"
    case .pending: "ALERT_STATE_PENDING"
    case .firing: "ALERT_STATE_FIRING"
    case .resolved: "ALERT_STATE_RESOLVED"
    case .unspecified: "ALERT_STATE_UNSPECIFIED"
    case .unrecognized(let value): String(value)
    }
  }

  /// Returns a description such as "accuracy < 0.9", for a rule created without one.
  static func describe(_ rule: Edgecat_Telemetry_V1_AlertRule) -> String {
    let label = AlertMetricKind(rule.metric)?.label ?? "metric"
    let sign = rule.condition == .below ? "<" : ">"
    return "\(label) \(sign) \(rule.threshold.shortText)"
  }
}

extension Double {
  /// The number without a trailing ".0", such as "50" or "0.9".
  var shortText: String {
    rounded() == self && abs(self) < 1e15 ? String(Int64(self)) : String(self)
  }
}
