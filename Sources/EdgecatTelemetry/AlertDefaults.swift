import EdgecatProto

/// The five rules every telemetry database starts with, sized by `AlertSettings`.
enum AlertDefaults {
  static func rules(_ settings: AlertSettings) -> [AlertRule] {
    [
      rule(
        "Accuracy", .accuracy, .modelVersion, .below, settings.accuracyThreshold,
        window: settings.accuracyWindowSeconds, minSamples: settings.accuracyMinLabels,
        .critical, .rollback),
      rule(
        "Latency p99", .p99Latency, .device, .above, settings.latencyThresholdMilliseconds,
        window: settings.latencyWindowSeconds, minSamples: settings.latencyMinRecords,
        .warning, .notify),
      rule(
        "Offline", .offline, .device, .above, Double(settings.offlineAfterSeconds),
        window: 0, minSamples: 0, .critical, .notify),
      // The day is the current UTC day, which a window of one day covers entirely.
      rule(
        "Confidence stddev", .confidenceStddev, .modelVersion, .above,
        settings.confidenceStddevThreshold, window: 86_400,
        minSamples: settings.confidenceStddevMinRecords, .warning, .retrain),
      rule(
        "Version mismatch", .versionMismatch, .device, .above, 0.5, window: 0,
        minSamples: 0, .info, .resendDesiredState),
    ]
  }

  private static func rule(
    _ name: String, _ metric: Edgecat_Telemetry_V1_AlertMetric,
    _ scope: Edgecat_Telemetry_V1_AlertScope, _ condition: Edgecat_Telemetry_V1_AlertCondition,
    _ threshold: Double, window: Int64, minSamples: Int64,
    _ severity: Edgecat_Telemetry_V1_AlertSeverity, _ action: Edgecat_Telemetry_V1_AlertAction
  ) -> AlertRule {
    var rule = AlertRule()
    rule.name = name
    rule.metric = metric
    rule.scope = scope
    rule.condition = condition
    rule.threshold = threshold
    rule.windowSeconds = window
    rule.minSamples = minSamples
    rule.forSeconds = 0
    rule.severity = severity
    rule.action = action
    rule.enabled = true
    rule.description =
      metric == .versionMismatch
      ? "device does not run its model's champion" : AlertNames.describe(rule)
    return rule
  }
}
