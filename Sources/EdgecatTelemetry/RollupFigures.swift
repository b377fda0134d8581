/// The additive figures of a set of records: what an hourly rollup row stores, and what a
/// metrics window sums per device and model version.
struct RollupFigures: Sendable {
  var count: Int64 = 0
  var confidenceCount: Int64 = 0
  var confidenceSum = 0.0
  var confidenceSquares = 0.0
  var latencySum = 0.0
  /// Moments of confidence and latency for the day figures; the hourly rollup does not store
  /// them.
  var confidenceMoments = Moments()
  var latencyMoments = Moments()
  var labelledCount: Int64 = 0
  /// Labelled records whose prediction equals the label.
  var correctCount: Int64 = 0
  var histogram = LatencyHistogram()

  mutating func add(confidence: Double?, latency: Double, prediction: Double, label: Double?) {
    count += 1
    if let confidence {
      confidenceCount += 1
      confidenceSum += confidence
      confidenceSquares += confidence * confidence
      confidenceMoments.add(confidence)
    }
    latencySum += latency
    latencyMoments.add(latency)
    histogram.add(latency)
    if let label {
      labelledCount += 1
      if prediction == label { correctCount += 1 }
    }
  }

  mutating func merge(_ other: RollupFigures) {
    count += other.count
    confidenceCount += other.confidenceCount
    confidenceSum += other.confidenceSum
    confidenceSquares += other.confidenceSquares
    latencySum += other.latencySum
    confidenceMoments.merge(other.confidenceMoments)
    latencyMoments.merge(other.latencyMoments)
    labelledCount += other.labelledCount
    correctCount += other.correctCount
    histogram.merge(other.histogram)
  }
}

/// The additive confidence figures of one model version's records on one day.
struct DailyFigures: Sendable {
  var count: Int64 = 0
  var confidenceCount: Int64 = 0
  var confidenceSum = 0.0
  var confidenceSquares = 0.0

  mutating func add(confidence: Double?) {
    count += 1
    guard let confidence else { return }
    confidenceCount += 1
    confidenceSum += confidence
    confidenceSquares += confidence * confidence
  }

  mutating func merge(_ other: DailyFigures) {
    count += other.count
    confidenceCount += other.confidenceCount
    confidenceSum += other.confidenceSum
    confidenceSquares += other.confidenceSquares
  }

  var mean: Double { confidenceCount > 0 ? confidenceSum / Double(confidenceCount) : 0 }

  /// The sample standard deviation of confidence; 0 below two values.
  var standardDeviation: Double {
    guard confidenceCount > 1 else { return 0 }
    let n = Double(confidenceCount)
    let variance = (confidenceSquares - confidenceSum * confidenceSum / n) / (n - 1)
    return variance > 0 ? variance.squareRoot() : 0
  }
}
