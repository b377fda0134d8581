import EdgecatCore
import EdgecatLog
import EdgecatProto
import EdgecatStore
import Glibc
import Synchronization

public typealias DesiredState = Edgecat_Registry_V1_DesiredState

/// Brings the device to its desired model. It downloads and verifies the artifact and assigns
/// the file to the application through `assignments`. Once the application confirms the load
/// and the optional health command passes, the model is running and reported RUNNING. A failed
/// load or health check goes back to the model that ran before and reports FAILED. The running
/// model and the one before it keep their files.
///
/// One model of the desired state is managed: the running one while it is desired, else the
/// first by name. The others are reported FAILED with a message saying so, so that their
/// rollouts count the device as failed at once instead of at the stage timeout.
/// NOTE: a device that should run several models at once needs one slot set per model name
/// and a model name in WatchModel.
public actor ModelManager {
  let slotStore: ModelSlotStore
  let folder: ModelFolder
  let worker: FileWorker
  let fetcher: ArtifactFetcher
  let reporter: StateReporter
  let healthCommand: HealthCommand?
  public nonisolated let assignments = AssignmentBroadcaster()
  nonisolated let runningBox = Mutex<InstalledModel?>(nil)
  let wakeup = Wakeup()
  let logger = Logger(component: "models")

  var slots = ModelSlots()
  /// Generation of the newest assignment sent to the application.
  var assignmentGeneration: UInt64 = 0
  /// The desired-state generation whose model failed, so that it is not tried again until
  /// the desired state changes.
  var failedDesiredGeneration: UInt64 = 0
  var desired: (model: InstalledModel?, generation: UInt64)?
  /// The model being downloaded now.
  var downloading: InstalledModel?
  /// Downloads failed in a row with a retryable error.
  var retryableFailures = 0
  var lastReport: [ReportedModel]?
  /// FAILED reports of the desired models this agent does not install.
  var unmanagedReports: [ReportedModel] = []

  static let retryLimit: Duration = .seconds(5)

  init(
    store: Store, dataDirectory: String, uplink: Uplink, reporter: StateReporter,
    healthCommand: HealthCommand?
  ) {
    slotStore = ModelSlotStore(store: store)
    // The application may run in another folder, so WatchModel sends absolute paths.
    folder = ModelFolder(path: ModelFolder.absolute(dataDirectory) + "/models")
    worker = FileWorker()
    fetcher = ArtifactFetcher(uplink: uplink, folder: folder, worker: worker)
    self.reporter = reporter
    self.healthCommand = healthCommand
  }

  /// Creates the model folder, loads the slots and assigns the model the application should
  /// load now: an unconfirmed candidate, else the running model.
  public static func open(
    store: Store, dataDirectory: String, uplink: Uplink, reporter: StateReporter,
    healthCommand: HealthCommand?
  ) async throws -> ModelManager {
    let manager = ModelManager(
      store: store, dataDirectory: dataDirectory, uplink: uplink, reporter: reporter,
      healthCommand: healthCommand)
    try await manager.restore()
    return manager
  }

  private func restore() async throws {
    let path = folder.path
    try await worker.run { () throws -> Void in
      if let failure = createFolder(path) {
        throw FileError(
          operation: "creating the model folder", path: path, code: failure)
      }
    }
    let (slots, counters) = try await slotStore.load()
    self.slots = slots
    assignmentGeneration = counters["assignment_generation"] ?? 0
    failedDesiredGeneration = counters["failed_desired_generation"] ?? 0
    runningBox.withLock { $0 = slots.running }
    logger.info(
      "model manager started",
      [
        "running": slots.running?.description ?? "none",
        "candidate": slots.candidate?.description ?? "none",
      ])
    if let model = slots.candidate ?? slots.running {
      try await assign(model)
    }
    if let running = slots.running, slots.candidate == nil {
      report(running, .running)
    }
  }

  /// The model the application confirmed and that records are attributed to.
  public nonisolated var runningModel: InstalledModel? { runningBox.withLock { $0 } }

  public var currentSlots:
    (
      running: InstalledModel?, previous: InstalledModel?,
      candidate: InstalledModel?
    )
  {
    (slots.running, slots.previous, slots.candidate)
  }

  /// Takes a desired state from the registry; the model manager works towards it in `run`.
  public func offer(_ state: DesiredState) {
    let managed = Self.managedIndex(state, running: slots.running)
    let model = managed.map { state.models[$0] }.map {
      InstalledModel(
        modelFullName: $0.modelFullName, version: $0.version, sha256: $0.artifactSha256,
        format: $0.format, desiredGeneration: state.generation)
    }
    if let previous = desired, previous.generation == state.generation,
      previous.model == model
    {
      return
    }
    desired = (model, state.generation)
    unmanagedReports = Self.unmanagedReports(state, managed: managed)
    if !unmanagedReports.isEmpty {
      logger.warning(
        "desired state names more than one model; only one is installed",
        [
          "managed": model?.description ?? "none",
          "not_managed": unmanagedReports.map(\.modelFullName).joined(separator: ","),
        ])
    }
    // The registry drops a device's report when an admin registers the device again, so the
    // agent sends a fresh report for each new desired state, even when the model is unchanged.
    lastReport = nil
    logger.info(
      "desired state received",
      ["generation": state.generation, "model": model?.description ?? "none"])
    wakeup.notify()
  }

  /// Returns the index of the desired model this agent installs: the one it runs, when that
  /// is still desired, so that a deployment of another model does not displace it, else the
  /// first by name.
  static func managedIndex(_ state: DesiredState, running: InstalledModel?) -> Int? {
    if let running,
      let index = state.models.firstIndex(where: { $0.modelFullName == running.modelFullName })
    {
      return index
    }
    return state.models.isEmpty ? nil : 0
  }

  /// Returns a FAILED report of each desired model but the one at `managed`.
  static func unmanagedReports(_ state: DesiredState, managed: Int?) -> [ReportedModel] {
    guard let managed else { return [] }
    let name = state.models[managed].modelFullName
    let others = state.models.indices.filter { $0 != managed }.map { state.models[$0] }
    // The registry takes at most 64 models in one report.
    return others.prefix(63).map { other in
      var reported = ReportedModel()
      reported.modelFullName = other.modelFullName
      reported.version = other.version
      reported.state = .failed
      reported.message =
        "edgecat-agent installs one model per device and this device runs \(name);"
        + " \(other.modelFullName) is not installed"
      return reported
    }
  }

  /// Works towards the desired state until the task is cancelled, retrying failed downloads
  /// with backoff.
  public func run() async {
    var backoff = Backoff(maximum: Self.retryLimit)
    while !Task.isCancelled {
      await wakeup.wait()
      if Task.isCancelled { break }
      if await reconcile() {
        backoff.reset()
      } else {
        let delay = backoff.nextDelay()
        try? await Task.sleep(for: delay)
        wakeup.notify()
      }
    }
    assignments.finishAll()
    worker.stop()
  }
}

/// Creates a folder with mode 0700 when it is missing; returns the errno of a failure.
private func createFolder(_ path: String) -> Int32? {
  if mkdir(path, 0o700) != 0 && errno != EEXIST { return errno }
  return nil
}
