import EdgecatPolicy
import EdgecatPolicyServer
import EdgecatProto
import EdgecatRPC
import Synchronization

/// The policy service with counts of its Check calls and of the checks in each BatchCheck
/// request, so tests can see how a client split its checks and which it served from its cache.
final class CountingPolicyService: RPCService {
  let policy: PolicyServer
  private let sizes = Mutex<[Int]>([])
  private let checkCalls = Mutex(0)

  init(engine: PolicyEngine) {
    policy = PolicyServer(engine: engine)
  }

  var serviceName: String { policy.serviceName }

  /// The number of checks in each BatchCheck request so far, in arrival order.
  var batchSizes: [Int] { sizes.withLock { $0 } }

  /// The number of Check calls so far.
  var checkCount: Int { checkCalls.withLock { $0 } }

  var methods: [RPCMethod] {
    policy.methods.map { method in
      guard let handler = method.synchronousHandler else { return method }
      switch method.path {
      case "/edgecat.policy.v1.PolicyService/BatchCheck":
        return RPCMethod(
          path: method.path,
          synchronousUnary: { [self] bytes, context in
            let request = try Edgecat_Policy_V1_BatchCheckRequest(serializedBytes: bytes)
            sizes.withLock { $0.append(request.checks.count) }
            return try handler(bytes, context)
          })
      case "/edgecat.policy.v1.PolicyService/Check":
        return RPCMethod(
          path: method.path,
          synchronousUnary: { [self] bytes, context in
            checkCalls.withLock { $0 += 1 }
            return try handler(bytes, context)
          })
      default:
        return method
      }
    }
  }

  /// Starts this service on a loopback port of its own and returns the server and endpoint.
  func start(group: EventLoopGroup) throws -> (RPCServer, Endpoint) {
    var configuration = ServerConfiguration()
    configuration.shutdownGracePeriod = .milliseconds(200)
    let server = RPCServer(services: [self], configuration: configuration, group: group)
    let port = try server.start(listeningOn: Endpoint(host: "127.0.0.1", port: 0))
    return (server, Endpoint(host: "127.0.0.1", port: port))
  }
}
