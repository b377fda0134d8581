import EdgecatStore

/// `stddev_from_moments(n, sum, m2)` and `stddev_pop_from_moments(n, sum, m2)`: the sample and
/// population standard deviation of the values behind rows that each hold a count of values,
/// their sum and their sum of squared deviations from their mean (M2), as the day figures do.
/// The rows are merged with Chan's pairwise formula (`Moments`), which keeps the digits that a
/// sum of squares would cancel, so the result matches `stddev` over the same values up to
/// rounding. NULL below two values, or one for the population form.
final class MomentsStandardDeviationState: AggregateState {
  private let name: String
  private let sample: Bool
  private var moments = Moments()

  init(name: String, sample: Bool) {
    self.name = name
    self.sample = sample
  }

  func step(_ arguments: [SQLValue]) throws {
    guard
      let count = try AggregateNumber.read(arguments[0], function: name, argument: "n"),
      let sum = try AggregateNumber.read(arguments[1], function: name, argument: "sum"),
      let m2 = try AggregateNumber.read(arguments[2], function: name, argument: "m2"),
      count >= 1
    else { return }
    moments.merge(count: Int64(count), mean: sum / count, m2: m2)
  }

  func finish() throws -> SQLValue {
    let divisor = sample ? moments.count - 1 : moments.count
    guard divisor > 0 else { return .null }
    return .real((max(0, moments.m2) / Double(divisor)).squareRoot())
  }
}
