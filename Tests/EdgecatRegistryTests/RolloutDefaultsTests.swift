import EdgecatCore
import Testing

@testable import EdgecatRegistry

@Suite("Rollout strategy")
struct RolloutDefaultsTests {
  @Test(
    "stages reach rounded-up shares of the devices",
    arguments: [
      (20, [10, 50, 100], [2, 10, 20]),
      (3, [10, 50, 100], [1, 2, 3]),
      (1, [10, 50, 100], [1, 1, 1]),
      (7, [100], [7]),
    ] as [(Int, [Int32], [Int])])
  func stageReach(devices: Int, percents: [Int32], reach: [Int]) {
    let stages = RolloutDefaults.stages(of: devices, percents: percents)
    #expect(stages.count == devices)
    let counts = percents.indices.map { stage in stages.filter { $0 <= stage }.count }
    #expect(counts == reach)
  }

  @Test("unset values take the defaults")
  func defaultsFilled() throws {
    let filled = try RolloutDefaults().filled(nil)
    #expect(filled.stagePercents == [10, 50, 100])
    #expect(filled.soakMs == 60_000)
    #expect(filled.stageTimeoutMs == 600_000)
    #expect(filled.errorThresholdPercent == 20)
    var zeroThreshold = RolloutStrategy()
    zeroThreshold.errorThresholdPercent = 0
    #expect(try RolloutDefaults().filled(zeroThreshold).errorThresholdPercent == 0)
  }

  @Test(
    "invalid stages are rejected",
    arguments: [[50, 40, 100], [10, 50], [0, 100], [50, 50, 100], [10, 101]] as [[Int32]])
  func invalidStages(percents: [Int32]) {
    var strategy = RolloutStrategy()
    strategy.stagePercents = percents
    #expect(throws: ServiceError.self) { try RolloutDefaults().filled(strategy) }
  }

  @Test("a failed stage halts before its devices all report")
  func haltEarly() {
    var strategy = RolloutStrategy()
    strategy.stagePercents = [100]
    strategy.errorThresholdPercent = 20
    strategy.soakMs = 1000
    strategy.stageTimeoutMs = 1000
    var deployment = DeploymentRecord(
      id: "dep-1", sequence: 1, model: "main.ml.defects", version: 1, alias: "",
      aliasPreviousVersion: 0, selector: DeviceSelector(), strategy: strategy,
      createdBy: "alice@example.com", at: 0)
    for index in 0..<10 {
      var device = DeploymentDeviceRecord(
        deviceID: "dev-\(index)", stage: 0, previousVersion: 0, at: 0)
      device.state = index < 2 ? .failed : .targeted
      deployment.devices.append(device)
    }
    #expect(RolloutEvaluation.nextStep(deployment, now: 1) == .wait)
    deployment.devices[2].state = .failed
    guard case .halt(let reason) = RolloutEvaluation.nextStep(deployment, now: 1) else {
      Issue.record("expected a halt")
      return
    }
    #expect(reason.contains("3 of 10"))
  }

  @Test("a settled stage soaks before the next starts")
  func soakThenAdvance() {
    var strategy = RolloutStrategy()
    strategy.stagePercents = [50, 100]
    strategy.errorThresholdPercent = 20
    strategy.soakMs = 1000
    strategy.stageTimeoutMs = 1000
    var deployment = DeploymentRecord(
      id: "dep-1", sequence: 1, model: "main.ml.defects", version: 1, alias: "",
      aliasPreviousVersion: 0, selector: DeviceSelector(), strategy: strategy,
      createdBy: "alice@example.com", at: 0)
    var first = DeploymentDeviceRecord(deviceID: "dev-1", stage: 0, previousVersion: 0, at: 0)
    first.state = .updated
    deployment.devices = [
      first, DeploymentDeviceRecord(deviceID: "dev-2", stage: 1, previousVersion: 0, at: 0),
    ]
    #expect(RolloutEvaluation.nextStep(deployment, now: 10) == .startSoak)
    deployment.soakStartedAt = 10
    #expect(RolloutEvaluation.nextStep(deployment, now: 10.5) == .wait)
    #expect(RolloutEvaluation.nextStep(deployment, now: 11) == .advance)
  }
}
