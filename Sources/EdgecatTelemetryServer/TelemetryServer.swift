import EdgecatRPC

/// `edgecat.telemetry.v1.TelemetryService`.
public struct TelemetryServer: RPCService {
  public let serviceName = "edgecat.telemetry.v1.TelemetryService"
  public init() {}
  public var methods: [RPCMethod] { [] }
}
