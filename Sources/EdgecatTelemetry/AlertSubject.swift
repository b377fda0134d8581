/// The subject of one alert, written as text: a device id ("cam-7"), a model version
/// ("main.ml.defects/3"), or a model version on one device ("cam-7/main.ml.defects/3").
/// Device ids and model names contain no '/', so the text splits back unambiguously.
struct AlertSubject: Hashable, Sendable {
  var deviceID: String?
  /// The model as "catalog.schema.model".
  var model: String?
  var version: Int64?

  init(deviceID: String? = nil, model: String? = nil, version: Int64? = nil) {
    self.deviceID = deviceID
    self.model = model
    self.version = version
  }

  init?(text: String) {
    let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
    switch parts.count {
    case 1:
      deviceID = parts[0]
    case 2:
      guard let version = Int64(parts[1]) else { return nil }
      model = parts[0]
      self.version = version
    case 3:
      guard let version = Int64(parts[2]) else { return nil }
      deviceID = parts[0]
      model = parts[1]
      self.version = version
    default:
      return nil
    }
  }

  var text: String {
    var parts: [String] = []
    if let deviceID { parts.append(deviceID) }
    if let model, let version { parts.append(model + "/" + String(version)) }
    return parts.joined(separator: "/")
  }
}

/// One judgment of a metric for one subject: the value and the records behind it.
struct AlertMeasurement: Sendable {
  let subject: AlertSubject
  let value: Double
  let samples: Int64
  /// Set for a device that never sent a heartbeat: Offline, with `value` -1.
  var neverSeen = false

  /// Returns whether the rule's condition holds for this measurement. A device never seen has
  /// been silent longer than any threshold, so only an ABOVE condition holds for it.
  func holds(_ rule: AlertRule) -> Bool {
    if neverSeen { return rule.condition == .above }
    return rule.condition == .below ? value < rule.threshold : value > rule.threshold
  }
}
