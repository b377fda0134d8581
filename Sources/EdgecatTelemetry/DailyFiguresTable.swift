import EdgecatProto

/// A model version: the unit of daily metrics and of drift baselines.
struct VersionKey: Hashable, Comparable {
  var model: String
  var version: Int64

  static func < (left: VersionKey, right: VersionKey) -> Bool {
    (left.model, left.version) < (right.model, right.version)
  }
}

/// Confidence figures per model version and day, from which daily metrics and drift follow.
struct DailyFiguresTable {
  private var days: [VersionKey: [String: DailyFigures]] = [:]
  /// First-day figures given apart from `days`, for days outside the requested range.
  private var baselines: [VersionKey: (day: String, figures: DailyFigures)] = [:]

  mutating func add(model: String, version: Int64, day: String, _ figures: DailyFigures) {
    days[VersionKey(model: model, version: version), default: [:]][day, default: DailyFigures()]
      .merge(figures)
  }

  /// Sets the figures of a version's first day with records.
  mutating func setBaseline(model: String, version: Int64, day: String, _ figures: DailyFigures) {
    baselines[VersionKey(model: model, version: version)] = (day, figures)
  }

  /// Returns the days in `range` ordered by model, version and day. Drift is measured against
  /// the version's first day: the baseline when one was set, else the earliest day added.
  func metrics(in range: DayRange) -> [Edgecat_Telemetry_V1_DailyMetrics] {
    var result: [Edgecat_Telemetry_V1_DailyMetrics] = []
    for key in days.keys.sorted() {
      let byDay = days[key]!
      let sortedDays = byDay.keys.sorted()
      let baseline = baselines[key] ?? (sortedDays[0], byDay[sortedDays[0]]!)
      let baseMean = baseline.figures.mean
      let baseDeviation = baseline.figures.standardDeviation
      for day in sortedDays where range.contains(day) {
        let figures = byDay[day]!
        var metrics = Edgecat_Telemetry_V1_DailyMetrics()
        metrics.day = day
        metrics.modelFullName = key.model
        metrics.modelVersion = key.version
        metrics.count = figures.count
        metrics.meanConfidence = figures.mean
        metrics.stddevConfidence = figures.standardDeviation
        if day != baseline.day, baseDeviation > 0 {
          metrics.drift = abs(figures.mean - baseMean) / baseDeviation
        }
        result.append(metrics)
      }
    }
    return result
  }
}
