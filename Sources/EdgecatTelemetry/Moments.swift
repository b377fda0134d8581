/// The count, mean and sum of squared deviations from the mean (M2) of a set of values, kept
/// with Welford's update and merged with Chan, Golub and LeVeque's pairwise formula. Unlike a
/// sum of squares, M2 keeps its digits when the values' spread is small next to their mean,
/// such as latencies of 1,000,000.3 and 1,000,000.7 ms.
struct Moments: Sendable, Equatable {
  var count: Int64 = 0
  var mean = 0.0
  var m2 = 0.0

  mutating func add(_ value: Double) {
    count += 1
    let delta = value - mean
    mean += delta / Double(count)
    m2 += delta * (value - mean)
  }

  /// Adds the values of a set with `count` values, their `mean` and their `m2`.
  mutating func merge(count other: Int64, mean otherMean: Double, m2 otherM2: Double) {
    guard other > 0 else { return }
    guard count > 0 else {
      (count, mean, m2) = (other, otherMean, otherM2)
      return
    }
    let total = count + other
    let delta = otherMean - mean
    let weight = Double(count) * Double(other) / Double(total)
    mean += delta * Double(other) / Double(total)
    m2 += otherM2 + delta * delta * weight
    count = total
  }

  mutating func merge(_ other: Moments) {
    merge(count: other.count, mean: other.mean, m2: other.m2)
  }
}
