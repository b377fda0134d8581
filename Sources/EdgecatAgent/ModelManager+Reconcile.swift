import EdgecatLog
import EdgecatProto

extension ModelManager {
  /// Takes one step towards the desired model. Returns false after a retryable failure, so
  /// that the caller tries again after a backoff.
  func reconcile() async -> Bool {
    guard let desired, let target = desired.model else { return true }
    if let running = slots.running, running.isSameVersion(as: target), slots.candidate == nil {
      report(running, .running)
      return true
    }
    if let candidate = slots.candidate, candidate.isSameVersion(as: target) { return true }
    if failedDesiredGeneration == desired.generation { return true }
    guard downloading == nil else { return true }

    report(target, .downloading)
    downloading = target
    let path: String
    do {
      path = try await fetcher.fetch(target)
      downloading = nil
      retryableFailures = 0
    } catch {
      downloading = nil
      guard !error.retryable else {
        retryableFailures += 1
        // One line for the first failure and then one per ten, so that a registry outage
        // does not fill the log.
        let level: LogLevel = retryableFailures % 10 == 1 ? .warning : .debug
        logger.log(
          level, "download failed, retrying",
          [
            "model": target.description, "error": error.description,
            "failures": retryableFailures,
          ])
        return false
      }
      logger.error("download failed", ["model": target.description, "error": error.description])
      await fail(target, error.description)
      return true
    }

    // The desired state may have changed during the download.
    guard let now = self.desired?.model, now.isSameVersion(as: target) else {
      wakeup.notify()
      return true
    }
    var candidate = target
    candidate.desiredGeneration = self.desired?.generation ?? target.desiredGeneration
    slots.candidate = candidate
    do {
      try await assign(candidate, path: path)
    } catch {
      logger.error("saving the model slots failed", ["error": "\(error)"])
      return false
    }
    return true
  }

  /// Gives up on `model` for its desired generation and reports FAILED with `reason`.
  func fail(_ model: InstalledModel, _ reason: String) async {
    failedDesiredGeneration = model.desiredGeneration
    do {
      try await save()
    } catch {
      logger.error("saving the model slots failed", ["error": "\(error)"])
    }
    report(model, .failed, message: reason)
  }

  /// Makes `model` the application's assignment with a new generation, saved first so that a
  /// restart never reuses a generation.
  func assign(_ model: InstalledModel, path: String? = nil) async throws {
    assignmentGeneration += 1
    try await save()
    var assignment = ModelAssignment()
    assignment.modelFullName = model.modelFullName
    assignment.version = model.version
    assignment.path = path ?? folder.modelPath(model.sha256)
    assignment.sha256 = model.sha256
    assignment.format = model.format
    assignment.generation = assignmentGeneration
    assignments.publish(assignment)
    logger.info(
      "model assigned to the application",
      ["model": model.description, "generation": assignmentGeneration, "path": assignment.path])
  }

  func save() async throws {
    try await slotStore.save(
      slots,
      counters: [
        "assignment_generation": assignmentGeneration,
        "failed_desired_generation": failedDesiredGeneration,
      ])
  }

  /// Queues a report of `model` in `state`, with the desired models this agent does not
  /// install, unless it repeats the last one.
  func report(
    _ model: InstalledModel, _ state: Edgecat_Registry_V1_ModelRunState, message: String = ""
  ) {
    var reported = ReportedModel()
    reported.modelFullName = model.modelFullName
    reported.version = model.version
    reported.state = state
    reported.message = String(message.prefix(1000))
    let models = [reported] + unmanagedReports
    guard lastReport != models else { return }
    lastReport = models
    reporter.submit(models)
  }
}
