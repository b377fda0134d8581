import EdgecatProto
import Testing

@Suite("Generated message types")
struct GeneratedTypeTests {
  /// Every generated message type. Each first use checks that the Swift field list matches the
  /// protobuf-c descriptor, and stops the test run when it does not.
  static let allTypes: [any ProtoMessage.Type] = [
    Edgecat_Agent_V1_LogInferenceRequest.self, Edgecat_Agent_V1_InferenceRecord.self,
    Edgecat_Agent_V1_LogInferenceResponse.self, Edgecat_Agent_V1_InferenceAck.self,
    Edgecat_Catalog_V1_GetMetastoreSummaryRequest.self, Edgecat_Catalog_V1_MetastoreSummary.self,
    Edgecat_Policy_V1_CheckRequest.self, Edgecat_Policy_V1_CheckResponse.self,
    Edgecat_Policy_V1_BatchCheckRequest.self, Edgecat_Policy_V1_BatchCheckResponse.self,
    Edgecat_Policy_V1_AuthenticateRequest.self, Edgecat_Policy_V1_AuthenticateResponse.self,
    Edgecat_Registry_V1_GetRegisteredModelRequest.self, Edgecat_Registry_V1_RegisteredModel.self,
    Edgecat_Telemetry_V1_HeartbeatRequest.self, Edgecat_Telemetry_V1_HeartbeatResponse.self,
    Edgecat_Testing_V1_EchoRequest.self, Edgecat_Testing_V1_EchoResponse.self,
    Edgecat_Testing_V1_FieldKinds.self, Edgecat_Testing_V1_FieldKinds.Nested.self,
    Grpc_Health_V1_HealthCheckRequest.self, Grpc_Health_V1_HealthCheckResponse.self,
    Grpc_Health_V1_HealthListRequest.self, Grpc_Health_V1_HealthListResponse.self,
    Grpc_Reflection_V1_ServerReflectionRequest.self, Grpc_Reflection_V1_ExtensionRequest.self,
    Grpc_Reflection_V1_ServerReflectionResponse.self,
    Grpc_Reflection_V1_FileDescriptorResponse.self,
    Grpc_Reflection_V1_ExtensionNumberResponse.self, Grpc_Reflection_V1_ListServiceResponse.self,
    Grpc_Reflection_V1_ServiceResponse.self, Grpc_Reflection_V1_ErrorResponse.self,
    Grpc_Reflection_V1alpha_ServerReflectionRequest.self,
    Grpc_Reflection_V1alpha_ExtensionRequest.self,
    Grpc_Reflection_V1alpha_ServerReflectionResponse.self,
    Grpc_Reflection_V1alpha_FileDescriptorResponse.self,
    Grpc_Reflection_V1alpha_ExtensionNumberResponse.self,
    Grpc_Reflection_V1alpha_ListServiceResponse.self,
    Grpc_Reflection_V1alpha_ServiceResponse.self, Grpc_Reflection_V1alpha_ErrorResponse.self,
  ]

  func emptyRoundTrip<M: ProtoMessage>(_ type: M.Type) throws -> Bool {
    let bytes = M().serializedBytes()
    let decoded = try M(serializedBytes: bytes)
    return bytes.isEmpty && decoded == M()
  }

  @Test("every type encodes its default to no bytes")
  func defaultsRoundTrip() throws {
    for type in Self.allTypes {
      #expect(try emptyRoundTrip(type), "\(type.protoMessageName)")
    }
  }

  @Test("message names are full proto names")
  func messageNames() {
    #expect(Edgecat_Testing_V1_EchoRequest.protoMessageName == "edgecat.testing.v1.EchoRequest")
    #expect(
      Edgecat_Testing_V1_FieldKinds.Nested.protoMessageName
        == "edgecat.testing.v1.FieldKinds.Nested")
    #expect(
      Grpc_Reflection_V1alpha_ServerReflectionRequest.protoMessageName
        == "grpc.reflection.v1alpha.ServerReflectionRequest")
  }

  @Test("inference record confidence has presence")
  func confidencePresence() throws {
    var record = Edgecat_Agent_V1_InferenceRecord()
    record.confidence = 0
    let decoded = try Edgecat_Agent_V1_InferenceRecord(serializedBytes: record.serializedBytes())
    #expect(decoded.confidenceValue == .confidence(0))
    #expect(Edgecat_Agent_V1_InferenceRecord().confidenceValue == nil)
  }
}
