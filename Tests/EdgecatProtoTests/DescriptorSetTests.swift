import EdgecatProto
import Testing

@Suite("Embedded descriptor set")
struct DescriptorSetTests {
  /// Returns the names of the files in the set.
  ///
  /// FileDescriptorSet has the wire shape of FileDescriptorResponse (repeated bytes, field 1), and
  /// FileDescriptorProto starts like ServiceResponse (string name, field 1). Other fields are
  /// skipped as unknown.
  func fileNames() throws -> [String] {
    let set = ProtoDescriptors.fileDescriptorSet
    let files = try Grpc_Reflection_V1_FileDescriptorResponse(serializedBytes: set)
    return try files.fileDescriptorProto.map {
      try Grpc_Reflection_V1_ServiceResponse(serializedBytes: $0).name
    }
  }

  @Test("set is non-empty and names the health service")
  func containsHealth() {
    let set = ProtoDescriptors.fileDescriptorSet
    #expect(!set.isEmpty)
    let needle = Array("grpc.health.v1.Health".utf8)
    let found = set.indices.dropLast(needle.count - 1).contains {
      set[$0..<($0 + needle.count)].elementsEqual(needle)
    }
    #expect(found)
  }

  @Test("set parses and lists every proto file")
  func parses() throws {
    let names = try fileNames()
    let expected = [
      "edgecat/agent/v1/agent.proto", "edgecat/audit/v1/audit.proto",
      "edgecat/catalog/v1/catalog.proto",
      "edgecat/policy/v1/policy.proto", "edgecat/registry/v1/registry.proto",
      "edgecat/telemetry/v1/telemetry.proto", "edgecat/testing/v1/echo.proto",
      "edgecat/testing/v1/field_kinds.proto", "grpc/health/v1/health.proto",
      "grpc/reflection/v1/reflection.proto", "grpc/reflection/v1alpha/reflection.proto",
    ]
    #expect(names.sorted() == expected)
  }
}
