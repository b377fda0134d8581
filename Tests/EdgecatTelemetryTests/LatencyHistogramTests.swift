import Glibc
import Testing

@testable import EdgecatTelemetry

@Suite("Latency histogram")
struct LatencyHistogramTests {
  @Test("encoding round-trips")
  func roundTrip() throws {
    var histogram = LatencyHistogram()
    for value in [0, 1e-12, 0.003, 0.5, 1, 1, 12.5, 250, 1e7] { histogram.add(value) }
    let decoded = try #require(LatencyHistogram(encoded: histogram.encoded()))
    #expect(decoded == histogram)
    #expect(LatencyHistogram(encoded: []) == LatencyHistogram())
    #expect(LatencyHistogram(encoded: [0x80]) == nil)
  }

  @Test("quantiles are within half a percent")
  func quantileAccuracy() {
    var random = SeededGenerator(state: 3)
    var values: [Double] = []
    var histogram = LatencyHistogram()
    for _ in 0..<5000 {
      let value = 0.01 * pow(10, Double.random(in: 0...6, using: &random))
      values.append(value)
      histogram.add(value)
    }
    values.sort()
    for quantile in [0.01, 0.5, 0.9, 0.99, 0.999, 1] {
      let exact = values[max(1, Int((quantile * 5000).rounded(.up))) - 1]
      #expect(abs(histogram.quantile(quantile) - exact) <= 0.005 * exact)
    }
  }

  @Test("bucket constants match their formula")
  func constants() {
    let accuracy = LatencyHistogram.relativeAccuracy
    let gamma = (1 + accuracy) / (1 - accuracy)
    #expect(abs(LatencyHistogram.gamma - gamma) < 1e-15)
    #expect(abs(LatencyHistogram.logGamma - log(gamma)) < 1e-15)
  }

  @Test("merging adds counts")
  func merge() {
    var left = LatencyHistogram()
    var right = LatencyHistogram()
    left.add(3)
    right.add(3)
    right.add(0)
    left.merge(right)
    #expect(left.totalCount == 3)
    #expect(left.quantile(0.1) == 0)
  }
}
