import EdgecatCore
import Glibc

/// Latency counts in logarithmic buckets: bucket k contains values in (γ^(k-1), γ^k] with
/// γ = 1.01/0.99, and reads back as 2γ^k/(γ+1), within 0.5% of every value in it. Quantiles
/// therefore lie within 0.5% of the exact nearest-rank quantile. Values below 1e-9 ms count
/// as 0. Histograms merge by adding counts, so hourly rollups combine into any window.
public struct LatencyHistogram: Sendable, Equatable {
  /// Half the relative width of a bucket.
  static let relativeAccuracy = 0.005
  /// γ = (1 + relativeAccuracy) / (1 - relativeAccuracy) and ln γ, written out as literals
  /// because the ingest path reads them per record; a test checks them against the formula.
  static let gamma = 1.0100502512562812
  static let logGamma = 0.010000083334583179
  static let smallest = 1e-9

  /// Counts by bucket key.
  var counts: [Int32: Int64] = [:]
  var zeroCount: Int64 = 0

  public init() {}

  public var totalCount: Int64 { counts.values.reduce(zeroCount, +) }

  static func key(_ value: Double) -> Int32? {
    guard value >= smallest else { return nil }
    return Int32((log(value) / logGamma).rounded(.up))
  }

  static func value(ofKey key: Int32) -> Double {
    2 * pow(gamma, Double(key)) / (gamma + 1)
  }

  mutating func add(_ value: Double, count: Int64 = 1) {
    guard let key = Self.key(value) else {
      zeroCount += count
      return
    }
    counts[key, default: 0] += count
  }

  mutating func merge(_ other: LatencyHistogram) {
    zeroCount += other.zeroCount
    for (key, count) in other.counts { counts[key, default: 0] += count }
  }

  /// Returns the nearest-rank quantile, the value at rank ⌈q·n⌉ (at least 1) in ascending
  /// order as its bucket reads back, or 0 for an empty histogram.
  public func quantile(_ q: Double) -> Double {
    let total = totalCount
    guard total > 0 else { return 0 }
    let rank = max(1, Int64((q * Double(total)).rounded(.up)))
    var seen = zeroCount
    if seen >= rank { return 0 }
    for key in counts.keys.sorted() {
      seen += counts[key]!
      if seen >= rank { return Self.value(ofKey: key) }
    }
    return Self.value(ofKey: counts.keys.max()!)
  }
}

extension LatencyHistogram {
  /// Encodes as varints: the zero count, then per bucket in ascending key order the zigzag
  /// delta from the previous key and the count.
  func encoded() -> [UInt8] {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(4 + counts.count * 3)
    LEB128.append(UInt64(zeroCount), to: &bytes)
    var previous: UInt64 = 0
    for key in counts.keys.sorted() {
      let value = UInt64(bitPattern: Int64(key))
      LEB128.appendDelta(value, from: previous, to: &bytes)
      previous = value
      LEB128.append(UInt64(counts[key]!), to: &bytes)
    }
    return bytes
  }

  /// Decodes what `encoded` wrote; nil for bytes it cannot have written.
  init?(encoded bytes: [UInt8]) {
    var reader = LEB128Reader(bytes)
    guard !bytes.isEmpty, let zero = reader.integer() else {
      if bytes.isEmpty { return }
      return nil
    }
    zeroCount = Int64(bitPattern: zero)
    var previous: UInt64 = 0
    while !reader.isAtEnd {
      guard let value = reader.delta(from: previous), let count = reader.integer() else {
        return nil
      }
      previous = value
      guard let key = Int32(exactly: Int64(bitPattern: value)) else { return nil }
      counts[key, default: 0] += Int64(bitPattern: count)
    }
  }
}
