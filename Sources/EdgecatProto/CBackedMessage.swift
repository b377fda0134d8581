import CEdgecatProto
import CProtobufC

/// A generated message that copies itself to and from its protobuf-c C struct.
///
/// Field arguments of `CMessageReader` and `CMessageWriter` are indexes into the descriptor's
/// `fields` array, which protoc-c sorts by field number.
protocol CBackedMessage: ProtoMessage {
  /// protobuf-c descriptor of the message's C struct.
  static var cDescriptor: CMessageDescriptor { get }

  /// Copies every field out of an unpacked C struct.
  init(cReader reader: CMessageReader)

  /// Copies every field into a C struct that `protobuf_c_message_init` has set up.
  func write(to writer: CMessageWriter)
}

/// Pointer to a protobuf-c message descriptor, which protoc-c emits as an immutable C global.
struct CMessageDescriptor: @unchecked Sendable {
  let pointer: UnsafePointer<ProtobufCMessageDescriptor>

  /// Looks up the descriptor of `name` and checks that its fields have `fieldNumbers`, in order.
  ///
  /// Stops the program when they differ, because then the generated Swift code is out of date with
  /// the C code and would read the wrong struct members. Running scripts/generate-proto fixes it.
  init(named name: String, fieldNumbers: [UInt32]) {
    guard let pointer = edgecat_message_descriptor_named(name) else {
      fatalError("no protobuf-c descriptor for \(name); run scripts/generate-proto")
    }
    let descriptor = pointer.pointee
    let actual = (0..<Int(descriptor.n_fields)).map { descriptor.fields[$0].id }
    guard actual == fieldNumbers else {
      fatalError(
        "protobuf-c fields of \(name) are \(actual) but the Swift code expects \(fieldNumbers);"
          + " run scripts/generate-proto")
    }
    self.pointer = pointer
  }

  /// Full proto name of the message, such as "grpc.health.v1.HealthCheckRequest".
  var fullName: String {
    String(cString: pointer.pointee.name)
  }
}
