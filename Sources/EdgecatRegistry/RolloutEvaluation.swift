/// The next step of a rolling-out deployment.
enum RolloutStep: Equatable {
  /// Devices of the current stage have not all settled, or the soak time has not passed.
  case wait
  /// The current stage's devices all settled under the threshold, so the soak time starts now.
  case startSoak
  /// The soak time passed, so the next stage starts.
  case advance
  /// A started stage's failures crossed the error threshold.
  case halt(String)
  /// The last stage's devices all settled under the threshold.
  case succeed
}

/// The decisions of the rollout state machine, apart from storage so they read as rules.
enum RolloutEvaluation {
  /// Updates each reached device from its latest report and the stage timeout. A report of
  /// the target version RUNNING makes it UPDATED. A report of the target FAILED made after
  /// the device was targeted makes it FAILED, as do silence past the timeout and
  /// deregistration. Returns the ids of the devices whose state changed.
  static func refresh(
    _ deployment: inout DeploymentRecord, devices: [String: DeviceRecord], now: Double
  ) -> [String] {
    var changed: [String] = []
    let timeout = Double(deployment.strategy.stageTimeoutMs) / 1000
    for index in deployment.devices.indices {
      var entry = deployment.devices[index]
      guard entry.state == .targeted || entry.state == .updated else { continue }
      let before = entry.state
      if let device = devices[entry.deviceID] {
        let report = device.reported(deployment.model)
        let reportIsNew = (device.reportedAt ?? 0) >= (entry.targetedAt ?? 0)
        if let report, report.version == entry.targetVersion {
          if report.state == .running {
            entry.state = .updated
          } else if report.state == .failed && reportIsNew {
            entry.state = .failed
            entry.message = report.message.isEmpty ? "the device reported FAILED" : report.message
          }
        }
        if entry.state == .targeted, let targetedAt = entry.targetedAt, now - targetedAt >= timeout
        {
          entry.state = .failed
          entry.message =
            "the device did not report version \(entry.targetVersion) running within"
            + " \(deployment.strategy.stageTimeoutMs) ms"
        }
      } else {
        entry.state = .failed
        entry.message = "the device was deregistered"
      }
      if entry.state != before {
        entry.updatedAt = now
        deployment.devices[index] = entry
        changed.append(entry.deviceID)
      }
    }
    return changed
  }

  /// Decides what a rolling-out deployment does next. A started stage halts the rollout when
  /// its failed devices exceed the threshold percentage of its devices, even while others
  /// have not reported yet.
  static func nextStep(_ deployment: DeploymentRecord, now: Double) -> RolloutStep {
    let threshold = deployment.strategy.errorThresholdPercent
    let stageCount = deployment.strategy.stagePercents.count
    for stage in 0...deployment.currentStage {
      let devices = deployment.devices.filter { $0.stage == stage }
      let failed = devices.filter { $0.state == .failed }.count
      if !devices.isEmpty && Double(failed) * 100 > threshold * Double(devices.count) {
        return .halt(
          "stage \(stage + 1) of \(stageCount): \(failed) of \(devices.count) devices failed,"
            + " over the error threshold of \(threshold)%")
      }
    }
    let current = deployment.devices.filter { $0.stage == deployment.currentStage }
    guard current.allSatisfy(\.isSettled) else { return .wait }
    let remaining = deployment.devices.contains { $0.stage > deployment.currentStage }
    guard remaining else { return .succeed }
    guard let soakStartedAt = deployment.soakStartedAt else { return .startSoak }
    let soak = Double(deployment.strategy.soakMs) / 1000
    return now - soakStartedAt >= soak ? .advance : .wait
  }
}
