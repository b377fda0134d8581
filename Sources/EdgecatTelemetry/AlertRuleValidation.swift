import EdgecatCore
import EdgecatProto

typealias AlertRule = Edgecat_Telemetry_V1_AlertRule

/// The checks a rule passes before it is stored. Each failure is INVALID_ARGUMENT naming the
/// field, the value and the fix.
enum AlertRuleValidation {
  static let maximumDescriptionLength = 1000

  /// The fields an update mask may name; `name` is the key and cannot change.
  static let updatableFields = [
    "metric", "scope", "condition", "threshold", "window_seconds", "min_samples", "for_seconds",
    "severity", "action", "description", "enabled",
  ]

  static func validateName(_ name: String) throws(ServiceError) {
    guard (1...255).contains(name.count),
      name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "_- ".contains($0)) })
    else {
      throw .invalidArgument(
        "name \"\(name)\" is invalid; use 1 to 255 ASCII letters, digits, '_', '-' or ' '")
    }
  }

  static func validate(_ rule: AlertRule) throws(ServiceError) {
    try validateName(rule.name)
    guard let metric = AlertMetricKind(rule.metric) else {
      throw .invalidArgument(
        "metric \(rule.metric.rawValue) is not an alert metric; use one of "
          + AlertMetricKind.allCases.map(\.protoName).joined(separator: ", "))
    }
    guard metric.scopes.contains(rule.scope) else {
      throw .invalidArgument(
        "scope \(AlertNames.scope(rule.scope)) does not apply to \(metric.protoName); use "
          + metric.scopes.map(AlertNames.scope).joined(separator: " or "))
    }
    guard rule.condition == .below || rule.condition == .above else {
      throw .invalidArgument(
        "condition \(rule.condition.rawValue) is unset or unknown; use ALERT_CONDITION_BELOW or"
          + " ALERT_CONDITION_ABOVE")
    }
    try validateThreshold(rule.threshold, metric: metric)
    try validateCounts(rule, metric: metric)
    try validateOutcome(rule, metric: metric)
  }

  /// Checks the threshold against the metric's unit. The p99 latency and version mismatch
  /// thresholds take any finite number.
  private static func validateThreshold(_ threshold: Double, metric: AlertMetricKind)
    throws(ServiceError)
  {
    guard threshold.isFinite else {
      throw .invalidArgument("threshold \(threshold) is not finite; use a finite number")
    }
    switch metric {
    case .accuracy where !(0...1).contains(threshold):
      throw .invalidArgument(
        "threshold \(threshold) is outside [0, 1]; \(metric.protoName) is a fraction, so use"
          + " a value such as 0.9")
    case .confidenceStddev where threshold < 0:
      throw .invalidArgument(
        "threshold \(threshold) is negative; \(metric.protoName) is a standard deviation, so"
          + " use 0 or more")
    case .offline where threshold <= 0:
      throw .invalidArgument(
        "threshold \(threshold) is not positive; \(metric.protoName) counts seconds without a"
          + " heartbeat, so use 1 or more, such as 3600")
    default:
      break
    }
  }

  private static func validateCounts(_ rule: AlertRule, metric: AlertMetricKind)
    throws(ServiceError)
  {
    if metric.hasWindow {
      guard rule.windowSeconds > 0 else {
        throw .invalidArgument(
          "window_seconds \(rule.windowSeconds) is not positive; \(metric.protoName) needs a"
            + " window of 1 second or more, such as 3600")
      }
    } else if rule.windowSeconds != 0 {
      // A window the evaluation would ignore is rejected, so that no one relies on it.
      throw .invalidArgument(
        "window_seconds \(rule.windowSeconds) is set; use 0, because \(metric.protoName) has no"
          + " window")
    }
    for (field, value) in [("min_samples", rule.minSamples), ("for_seconds", rule.forSeconds)]
    where value < 0 {
      throw .invalidArgument("\(field) \(value) is negative; use 0 or more")
    }
  }

  private static func validateOutcome(_ rule: AlertRule, metric: AlertMetricKind)
    throws(ServiceError)
  {
    guard [.info, .warning, .critical].contains(rule.severity) else {
      throw .invalidArgument(
        "severity \(rule.severity.rawValue) is unset or unknown; use ALERT_SEVERITY_INFO,"
          + " ALERT_SEVERITY_WARNING or ALERT_SEVERITY_CRITICAL")
    }
    switch rule.action {
    case .notify, .retrain:
      break
    case .rollback where !metric.subjectHasModelVersion:
      throw .invalidArgument(
        "action ALERT_ACTION_ROLLBACK does not apply to \(metric.protoName), whose alerts"
          + " name no model version; use ALERT_ACTION_NOTIFY")
    case .resendDesiredState where rule.scope != .device:
      throw .invalidArgument(
        "action ALERT_ACTION_RESEND_DESIRED_STATE needs scope ALERT_SCOPE_DEVICE, but scope is"
          + " \(AlertNames.scope(rule.scope)); change the scope or use ALERT_ACTION_NOTIFY")
    case .rollback, .resendDesiredState:
      break
    default:
      throw .invalidArgument(
        "action \(rule.action.rawValue) is unset or unknown; use ALERT_ACTION_NOTIFY,"
          + " ALERT_ACTION_ROLLBACK, ALERT_ACTION_RESEND_DESIRED_STATE or ALERT_ACTION_RETRAIN")
    }
    guard rule.description.count <= maximumDescriptionLength else {
      throw .invalidArgument(
        "description has \(rule.description.count) characters; use at most"
          + " \(maximumDescriptionLength)")
    }
  }

  static func validateMask(_ mask: [String]) throws(ServiceError) {
    for field in mask where !updatableFields.contains(field) {
      throw .invalidArgument(
        "update_mask names field \"\(field)\", which cannot be updated; use "
          + updatableFields.joined(separator: ", "))
    }
  }

  /// Returns `current` with the fields that `mask` names taken from `change`; an empty mask
  /// takes every field but the name. A field outside `updatableFields` is INVALID_ARGUMENT.
  static func merge(_ change: AlertRule, into current: AlertRule, mask: [String])
    throws(ServiceError) -> AlertRule
  {
    try validateMask(mask)
    let fields = Set(mask.isEmpty ? updatableFields : mask)
    var rule = current
    if fields.contains("metric") { rule.metric = change.metric }
    if fields.contains("scope") { rule.scope = change.scope }
    if fields.contains("condition") { rule.condition = change.condition }
    if fields.contains("threshold") { rule.threshold = change.threshold }
    if fields.contains("window_seconds") { rule.windowSeconds = change.windowSeconds }
    if fields.contains("min_samples") { rule.minSamples = change.minSamples }
    if fields.contains("for_seconds") { rule.forSeconds = change.forSeconds }
    if fields.contains("severity") { rule.severity = change.severity }
    if fields.contains("action") { rule.action = change.action }
    if fields.contains("description") { rule.description = change.description }
    if fields.contains("enabled") { rule.enabled = change.enabled }
    return rule
  }
}
