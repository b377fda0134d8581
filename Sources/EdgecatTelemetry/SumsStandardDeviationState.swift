import EdgecatStore

/// `stddev_from_sums(n, sum, squares)` and `stddev_pop_from_sums(n, sum, squares)`: the sample
/// and population standard deviation of the values behind rows that each hold a count of
/// values, their sum and their sum of squares, as the day figures do. The variance is
/// (Σsquares − (Σsum)² / Σn) / (Σn − 1), or / Σn for the population. It matches `stddev` over
/// the same values up to rounding: the cancellation costs about as many digits as the values'
/// squared mean exceeds their variance, a few of the 16 that doubles carry for confidences and
/// latencies.
final class SumsStandardDeviationState: AggregateState {
  private let name: String
  private let sample: Bool
  private var count: Int64 = 0
  private var sum = 0.0
  private var squares = 0.0

  init(name: String, sample: Bool) {
    self.name = name
    self.sample = sample
  }

  func step(_ arguments: [SQLValue]) throws {
    guard
      let count = try AggregateNumber.read(arguments[0], function: name, argument: "n"),
      let sum = try AggregateNumber.read(arguments[1], function: name, argument: "sum"),
      let squares = try AggregateNumber.read(arguments[2], function: name, argument: "squares")
    else { return }
    self.count += Int64(count)
    self.sum += sum
    self.squares += squares
  }

  func finish() throws -> SQLValue {
    let divisor = sample ? count - 1 : count
    guard divisor > 0 else { return .null }
    let deviations = squares - sum * sum / Double(count)
    return .real((max(0, deviations) / Double(divisor)).squareRoot())
  }
}
