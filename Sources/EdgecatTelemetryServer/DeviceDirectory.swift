import EdgecatLog
import EdgecatProto
import EdgecatRPC
import EdgecatServiceKit
import Synchronization

typealias RegistryDevice = Edgecat_Registry_V1_Device

/// The registry's device inventory as this service last read it: ingest takes each record's
/// region from it, and the fleet view and the alerts read it whole. A lookup of a device it
/// does not know reads the inventory again, at most once per `refreshInterval`. Thread-safe.
public final class DeviceDirectory: Sendable {
  let registry: RegistryClient
  let refreshInterval: Duration
  private struct State {
    var devices: [String: RegistryDevice] = [:]
    var loadedAt: ContinuousClock.Instant?
  }
  private let state = Mutex(State())
  private let logger = Logger(component: "telemetry")

  public init(registry: RegistryClient, refreshInterval: Duration = .seconds(1)) {
    self.registry = registry
    self.refreshInterval = refreshInterval
  }

  /// Returns the devices of `ids` that the registry has registered, reading the inventory again
  /// when one is missing and the last read is older than the refresh interval.
  func devices(_ ids: Set<String>, requestID: String) async throws(RPCError) -> [String:
    RegistryDevice]
  {
    let (known, stale) = state.withLock { state in
      let known = state.devices.filter { ids.contains($0.key) }
      let stale = state.loadedAt.map { ContinuousClock.now - $0 >= refreshInterval } ?? true
      return (known, stale)
    }
    guard known.count < ids.count, stale else { return known }
    return try await reload(requestID: requestID).filter { ids.contains($0.key) }
  }

  /// Reads the whole inventory now and returns it.
  func all(requestID: String) async throws(RPCError) -> [String: RegistryDevice] {
    try await reload(requestID: requestID)
  }

  /// Every device as last read, without asking the registry; empty before the first read.
  var cached: [String: RegistryDevice] { state.withLock { $0.devices } }

  private func reload(requestID: String) async throws(RPCError) -> [String: RegistryDevice] {
    var devices: [String: RegistryDevice] = [:]
    var request = Edgecat_Registry_V1_ListDevicesRequest()
    request.pageSize = 1000
    repeat {
      let page: Edgecat_Registry_V1_ListDevicesResponse = try await registry.call(
        "ListDevices", request, onBehalfOf: nil, requestID: requestID)
      for device in page.devices { devices[device.deviceID] = device }
      request.pageToken = page.nextPageToken
    } while !request.pageToken.isEmpty
    let loaded = devices
    state.withLock { state in
      state.devices = loaded
      state.loadedAt = .now
    }
    return loaded
  }
}
