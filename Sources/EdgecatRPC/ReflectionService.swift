import EdgecatProto

/// Server reflection, `grpc.reflection.v1.ServerReflection` and the older
/// `grpc.reflection.v1alpha.ServerReflection`, served from the descriptor set of proto/ that
/// is embedded in the binary. The two versions' messages have the same fields and numbers, so
/// one implementation decodes and encodes both.
public struct ReflectionService: RPCService {
  private typealias Request = Grpc_Reflection_V1_ServerReflectionRequest
  private typealias Response = Grpc_Reflection_V1_ServerReflectionResponse

  private let index: DescriptorIndex
  private let listedServices: [String]

  /// `services` are the names ListServices returns; reflection adds its own two.
  public init(
    services: [String], fileDescriptorSet: [UInt8] = ProtoDescriptors.fileDescriptorSet
  ) {
    index = DescriptorIndex(fileDescriptorSet: fileDescriptorSet)
    listedServices = Array(Set(services + Self.names)).sorted()
  }

  static let names = [
    "grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection",
  ]

  public var serviceName: String { Self.names[0] }

  public var methods: [RPCMethod] {
    Self.names.map { name in
      .bidirectionalStreaming("/\(name)/ServerReflectionInfo") {
        (requests: RequestStream<Request>, writer: ResponseStreamWriter<Response>, _) in
        var sentFiles: Set<String> = []
        for try await request in requests {
          try await writer.write(respond(to: request, sentFiles: &sentFiles))
        }
      }
    }
  }

  private func respond(to request: Request, sentFiles: inout Set<String>) -> Response {
    var response = Response()
    response.validHost = request.host
    response.originalRequest = request
    switch request.messageRequest {
    case .fileByFilename(let name)?:
      response.messageResponse =
        files(named: name, sentFiles: &sentFiles)
        ?? notFound("file \"\(name)\" is not in this server's descriptors")
    case .fileContainingSymbol(let symbol)?:
      let name = index.fileBySymbol[symbol.hasPrefix(".") ? String(symbol.dropFirst()) : symbol]
      response.messageResponse =
        name.flatMap { files(named: $0, sentFiles: &sentFiles) }
        ?? notFound("symbol \"\(symbol)\" is not in this server's descriptors")
    case .fileContainingExtension(let request)?:
      response.messageResponse = notFound(
        "no extension \(request.extensionNumber) of \(request.containingType) is defined")
    case .allExtensionNumbersOfType(let type)?:
      if index.fileBySymbol[type] == nil {
        response.messageResponse = notFound("type \"\(type)\" is not in this server's descriptors")
      } else {
        var numbers = Grpc_Reflection_V1_ExtensionNumberResponse()
        numbers.baseTypeName = type
        numbers.extensionNumber = index.extensionNumbers[type] ?? []
        response.messageResponse = .allExtensionNumbersResponse(numbers)
      }
    case .listServices?:
      var list = Grpc_Reflection_V1_ListServiceResponse()
      list.service = listedServices.map { name in
        var service = Grpc_Reflection_V1_ServiceResponse()
        service.name = name
        return service
      }
      response.messageResponse = .listServicesResponse(list)
    case nil:
      response.messageResponse = error(.invalidArgument, "the request names no message_request")
    }
    return response
  }

  /// Returns the file and the dependencies this stream has not sent yet, as grpc's own servers
  /// do.
  private func files(named name: String, sentFiles: inout Set<String>)
    -> Response.OneOf_MessageResponse?
  {
    let files = index.fileWithDependencies(name)
    guard !files.isEmpty else { return nil }
    var descriptors = Grpc_Reflection_V1_FileDescriptorResponse()
    for file in files where file.name == name || !sentFiles.contains(file.name) {
      descriptors.fileDescriptorProto.append(file.bytes)
      sentFiles.insert(file.name)
    }
    return .fileDescriptorResponse(descriptors)
  }

  private func notFound(_ message: String) -> Response.OneOf_MessageResponse {
    error(.notFound, message)
  }

  private func error(_ code: StatusCode, _ message: String) -> Response.OneOf_MessageResponse {
    var error = Grpc_Reflection_V1_ErrorResponse()
    error.errorCode = Int32(code.rawValue)
    error.errorMessage = message
    return .errorResponse(error)
  }
}
