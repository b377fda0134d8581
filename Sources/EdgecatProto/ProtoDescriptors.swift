import CEdgecatProto

/// Descriptors of the proto files that this module was generated from.
public enum ProtoDescriptors {
  /// Serialized `google.protobuf.FileDescriptorSet` of every file under proto/, with imports and
  /// without source info, for gRPC server reflection.
  public static let fileDescriptorSet: [UInt8] = [UInt8](
    UnsafeBufferPointer(start: edgecat_descriptor_set, count: edgecat_descriptor_set_length))
}
