import EdgecatStore

/// `percentile(x, p)`: the exact p-th percentile of the non-NULL x of a group, with p from 0 to
/// 1. As in Spark's `percentile`, it interpolates linearly between the two nearest ranks of the
/// sorted values v: at position p * (n - 1) the result is v[floor] + (v[ceil] - v[floor]) times
/// the position's fraction.
/// NULL for a group without values. Keeps every value of the group in memory, up to
/// `maxValues`.
final class PercentileState: AggregateState {
  /// The values a group may have, so that a query cannot fill memory: 80 MB of doubles.
  static let maxValues = 10_000_000
  private var values: [Double] = []
  private var fraction: Double?

  func step(_ arguments: [SQLValue]) throws {
    guard let p = try AggregateNumber.read(arguments[1], function: "percentile", argument: "p"),
      p >= 0, p <= 1
    else {
      throw AggregateError(
        "percentile() takes p from 0 to 1, such as 0.99, but got \(arguments[1])")
    }
    if let fraction, fraction != p {
      throw AggregateError(
        "percentile() takes one p for the whole group, but got \(fraction) and \(p); "
          + "write p as a literal")
    }
    fraction = p
    guard let value = try AggregateNumber.read(arguments[0], function: "percentile", argument: "x")
    else { return }
    guard values.count < Self.maxValues else {
      throw AggregateError(
        "percentile() takes at most \(Self.maxValues) values per group; narrow the query "
          + "with WHERE or GROUP BY")
    }
    values.append(value)
  }

  func finish() throws -> SQLValue {
    guard let fraction, !values.isEmpty else { return .null }
    values.sort()
    let position = fraction * Double(values.count - 1)
    let lower = Int(position.rounded(.down))
    let upper = min(lower + 1, values.count - 1)
    let weight = position - Double(lower)
    return .real(values[lower] + (values[upper] - values[lower]) * weight)
  }
}

/// `stddev(x)` and `stddev_samp(x)`, the sample standard deviation of the non-NULL x of a
/// group (NULL below two values), and `stddev_pop(x)`, the population one (NULL for none).
/// Uses Welford's running mean and sum of squared deviations.
final class StandardDeviationState: AggregateState {
  private let name: String
  private let sample: Bool
  private var count = 0
  private var mean = 0.0
  private var squares = 0.0

  init(name: String, sample: Bool) {
    self.name = name
    self.sample = sample
  }

  func step(_ arguments: [SQLValue]) throws {
    guard let value = try AggregateNumber.read(arguments[0], function: name, argument: "x")
    else { return }
    count += 1
    let delta = value - mean
    mean += delta / Double(count)
    squares += delta * (value - mean)
  }

  func finish() throws -> SQLValue {
    let divisor = sample ? count - 1 : count
    guard divisor > 0 else { return .null }
    return .real((max(0, squares) / Double(divisor)).squareRoot())
  }
}

/// Reads aggregate arguments as numbers: integers, reals and text that spells a number.
enum AggregateNumber {
  /// Returns the number, nil for NULL, or throws for a blob or non-numeric text.
  static func read(_ value: SQLValue, function: String, argument: String) throws -> Double? {
    switch value {
    case .null: return nil
    case .integer(let number): return Double(number)
    case .real(let number): return number
    case .text(let text):
      if let number = Double(text) { return number }
    case .blob: break
    }
    throw AggregateError("\(function)() takes a number for \(argument), but got \(value)")
  }
}

/// A failure of an aggregate function, whose message becomes the statement's error.
struct AggregateError: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}
