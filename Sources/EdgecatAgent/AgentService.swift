import EdgecatCore
import EdgecatLog
import EdgecatProto
import EdgecatRPC

/// `edgecat.agent.v1.AgentService`, the agent's local service for the inference application.
/// Every call must carry the local token as `authorization: Bearer <token>`.
public struct AgentService: RPCService {
  public let serviceName = "edgecat.agent.v1.AgentService"
  let spool: Spool
  let models: ModelSource
  let localToken: String
  let logger = Logger(component: "agent-service")

  /// The maximum number of records in one LogInference call.
  static let maximumRecordsPerCall = 10_000

  public init(spool: Spool, models: ModelSource, localToken: String) {
    self.spool = spool
    self.models = models
    self.localToken = localToken
  }

  public var methods: [RPCMethod] {
    [
      .unary(Self.path("LogInference")) {
        (request: Edgecat_Agent_V1_LogInferenceRequest, context) in
        try authenticate(context)
        return try await logInference(request)
      },
      .unary(Self.path("LogLabels")) { (request: Edgecat_Agent_V1_LogLabelsRequest, context) in
        try authenticate(context)
        return try await logLabels(request)
      },
      .serverStreaming(Self.path("WatchModel")) {
        (
          _: Edgecat_Agent_V1_WatchModelRequest, writer: ResponseStreamWriter<ModelAssignment>,
          context
        ) in
        try authenticate(context)
        for await assignment in models.assignments.subscribe() {
          if context.isServerShuttingDown { return }
          try await writer.write(assignment)
        }
      },
      .unary(Self.path("ModelLoaded")) {
        (request: Edgecat_Agent_V1_ModelLoadedRequest, context) in
        try authenticate(context)
        try await mappedAsync { () async throws(ServiceError) in
          try await models.modelLoaded(
            generation: request.generation, loaded: request.loaded, message: request.message)
        }
        return Edgecat_Agent_V1_ModelLoadedResponse()
      },
      .unary(Self.path("ListQuarantined")) {
        (request: Edgecat_Agent_V1_ListQuarantinedRequest, context) in
        try authenticate(context)
        return try await listQuarantined(request)
      },
      .unary(Self.path("ResendQuarantined")) {
        (request: Edgecat_Agent_V1_ResendQuarantinedRequest, context) in
        try authenticate(context)
        return try await resendQuarantined(request)
      },
      .unary(Self.path("DiscardQuarantined")) {
        (request: Edgecat_Agent_V1_DiscardQuarantinedRequest, context) in
        try authenticate(context)
        return try await discardQuarantined(request)
      },
    ]
  }

  static func path(_ method: String) -> String { "/edgecat.agent.v1.AgentService/\(method)" }

  /// Throws UNAUTHENTICATED unless the call carries the local token.
  func authenticate(_ context: ServerContext) throws(RPCError) {
    guard let token = bearerToken(context.metadata) else {
      throw RPCError(
        .unauthenticated,
        "the call has no bearer token or more than one; send one \"authorization: Bearer"
          + " <token>\" header with the token from the agent's --local-token-file")
    }
    guard LocalToken.matches(token, localToken) else {
      logger.warning(
        "call with a wrong local token",
        [
          "rpc.method": context.method,
          "peer": context.peer,
        ])
      throw RPCError(
        .unauthenticated,
        "the bearer token is not the agent's local token; read it from --local-token-file")
    }
  }
}

/// The model manager as the local service uses it; tests supply their own.
public protocol ModelSource: Sendable {
  var assignments: AssignmentBroadcaster { get }
  var runningModel: InstalledModel? { get }
  func modelLoaded(generation: UInt64, loaded: Bool, message: String) async throws(ServiceError)
}

extension ModelManager: ModelSource {}
