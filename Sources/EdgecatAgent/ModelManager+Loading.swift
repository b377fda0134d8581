import EdgecatCore
import EdgecatLog

extension ModelManager {
  /// Takes the application's confirmation or failure for assignment `generation`. A loaded candidate that
  /// passes the health command becomes the running model and is reported RUNNING; otherwise
  /// the model that ran before is assigned again and the candidate is reported FAILED.
  public func modelLoaded(generation: UInt64, loaded: Bool, message: String)
    async throws(ServiceError)
  {
    guard generation == assignmentGeneration else {
      throw .failedPrecondition(
        "assignment generation \(generation) is not the current one,"
          + " \(assignmentGeneration); load the model of the newest WatchModel message and"
          + " confirm that generation")
    }
    guard let candidate = slots.candidate else {
      let model = slots.running?.description ?? "none"
      if loaded {
        logger.info("application loaded the running model", ["model": model])
      } else {
        logger.error(
          "application could not load the running model",
          ["model": model, "message": message])
      }
      return
    }

    var verdict: String? = loaded ? nil : "the application could not load the model: \(message)"
    if loaded, let healthCommand {
      let path = folder.modelPath(candidate.sha256)
      do {
        verdict = try await worker.run { healthCommand.run(model: candidate, path: path) }
      } catch {
        verdict = "the health command could not run: \(error)"
      }
      // Another assignment may have replaced this one while the command ran.
      guard generation == assignmentGeneration, slots.candidate == candidate else { return }
    }
    do {
      if let verdict {
        try await revert(candidate, verdict)
      } else {
        try await promote(candidate)
      }
    } catch {
      logger.error("saving the model slots failed", ["error": "\(error)"])
      throw .storage(error, operation: "saving the model slots", database: "agent")
    }
  }

  /// Makes the candidate the running model, keeps the one before as previous and deletes
  /// every other model file.
  private func promote(_ candidate: InstalledModel) async throws {
    if let running = slots.running, !running.isSameVersion(as: candidate) {
      slots.previous = running
    }
    slots.running = candidate
    slots.candidate = nil
    try await save()
    runningBox.withLock { $0 = candidate }
    logger.info("model running", ["model": candidate.description])
    report(candidate, .running)
    await removeUnusedFiles()
  }

  /// Assigns the running model again and reports the candidate FAILED.
  private func revert(_ candidate: InstalledModel, _ reason: String) async throws {
    slots.candidate = nil
    failedDesiredGeneration = candidate.desiredGeneration
    let fallback = slots.running
    logger.error(
      "model failed, going back to the model before it",
      [
        "model": candidate.description, "reason": reason,
        "fallback": fallback?.description ?? "none",
      ])
    if let fallback {
      try await assign(fallback)
    } else {
      assignmentGeneration += 1
      try await save()
      var empty = ModelAssignment()
      empty.generation = assignmentGeneration
      assignments.publish(empty)
    }
    let suffix = fallback.map { "; running \($0.modelFullName) version \($0.version) again" } ?? ""
    report(candidate, .failed, message: reason + suffix)
    await removeUnusedFiles()
  }

  /// Deletes model files other than the running, previous and candidate models and the
  /// download in progress.
  func removeUnusedFiles() async {
    var keep = Set([slots.running, slots.previous, slots.candidate].compactMap { $0?.sha256 })
    if let downloading {
      keep.insert(downloading.sha256)
      keep.insert(downloading.sha256 + ".partial")
    }
    let folder = self.folder
    let frozen = keep
    do {
      let removed = try await worker.run { try folder.removeAll(except: frozen) }
      if !removed.isEmpty { logger.info("old model files deleted", ["files": removed.count]) }
    } catch {
      logger.error("deleting old model files failed", ["error": "\(error)"])
    }
  }
}
