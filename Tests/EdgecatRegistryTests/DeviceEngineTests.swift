import EdgecatCore
import EdgecatRegistry
import Synchronization
import Testing

@Suite("Device inventory in the engine")
struct DeviceEngineTests {
  @Test("generations grow across re-registration")
  func generationAfterReregistration() async throws {
    let now = Mutex(1_000.0)
    let fixture = try await EngineFixture.start(clock: { now.withLock { $0 } })
    defer { Task { await fixture.stop() } }
    let version = try await fixture.createReadyVersion()
    var details = DeviceMessage()
    details.deviceID = "dev-a"
    _ = try await fixture.engine.registerDevice(details, audit: fixture.audit())
    _ = try await fixture.engine.createDeployment(
      of: "main.ml.defects", target: .version(version.version), selector: DeviceSelector(),
      strategy: try RolloutDefaults().filled(nil), createdBy: "alice@example.com",
      audit: fixture.audit(),
      lineage: LineageCaller(principal: "alice@example.com", requestID: "r1", environment: nil))
    let before = try await fixture.engine.desiredState(of: "dev-a").generation

    try await fixture.engine.deregisterDevice("dev-a", audit: fixture.audit())
    now.withLock { $0 += 1 }
    _ = try await fixture.engine.registerDevice(details, audit: fixture.audit())
    let after = try await fixture.engine.desiredState(of: "dev-a").generation
    #expect(after > before)
  }
}
