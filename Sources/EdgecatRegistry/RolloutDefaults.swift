import EdgecatCore

/// The strategy values a deployment gets when its request leaves them unset, and the
/// validation of a requested strategy.
public struct RolloutDefaults: Sendable, Hashable {
  /// Cumulative percentages of the selected devices that each stage reaches.
  public var stagePercents: [Int32]
  public var soakMilliseconds: Int64
  public var stageTimeoutMilliseconds: Int64
  public var errorThresholdPercent: Double

  public static let maximumStages = 20

  /// Stages of 10%, 50% and 100%, a soak of 60 s, a stage timeout of 10 min and an error
  /// threshold of 20%.
  public init(
    stagePercents: [Int32] = [10, 50, 100], soakMilliseconds: Int64 = 60_000,
    stageTimeoutMilliseconds: Int64 = 600_000, errorThresholdPercent: Double = 20
  ) {
    self.stagePercents = stagePercents
    self.soakMilliseconds = soakMilliseconds
    self.stageTimeoutMilliseconds = stageTimeoutMilliseconds
    self.errorThresholdPercent = errorThresholdPercent
  }

  /// Returns `strategy` with every unset value taken from these defaults. Stages that do not
  /// increase from 1 to exactly 100, negative times or a threshold outside 0 to 100 are
  /// INVALID_ARGUMENT.
  public func filled(_ strategy: RolloutStrategy?) throws(ServiceError) -> RolloutStrategy {
    var result = strategy ?? RolloutStrategy()
    if result.stagePercents.isEmpty { result.stagePercents = stagePercents }
    let stages = result.stagePercents
    guard stages.count <= Self.maximumStages, stages.last == 100,
      zip(stages, stages.dropFirst()).allSatisfy({ $0 < $1 }), stages.allSatisfy({ $0 >= 1 })
    else {
      throw .invalidArgument(
        "stage_percents \(stages) is invalid; give up to \(Self.maximumStages) increasing"
          + " percentages from 1 that end at 100, such as [10, 50, 100]")
    }
    guard result.soakMs >= 0, result.stageTimeoutMs >= 0 else {
      throw .invalidArgument(
        "soak_ms and stage_timeout_ms must not be negative; use 0 for the defaults")
    }
    if result.soakMs == 0 { result.soakMs = soakMilliseconds }
    if result.stageTimeoutMs == 0 { result.stageTimeoutMs = stageTimeoutMilliseconds }
    if result.threshold == nil { result.errorThresholdPercent = errorThresholdPercent }
    guard (0...100).contains(result.errorThresholdPercent) else {
      throw .invalidArgument(
        "error_threshold_percent \(result.errorThresholdPercent) is invalid; use 0 to 100")
    }
    return result
  }

  /// Returns the stage index of each of `deviceCount` devices, in order: stage i reaches the
  /// first ceil(percent × count / 100) devices.
  static func stages(of deviceCount: Int, percents: [Int32]) -> [Int] {
    var result: [Int] = []
    for (stage, percent) in percents.enumerated() {
      let reach = (Int(percent) * deviceCount + 99) / 100
      while result.count < reach { result.append(stage) }
    }
    return result
  }
}
