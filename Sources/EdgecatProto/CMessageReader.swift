import CProtobufC

/// Reader of Swift values out of one C struct that `protobuf_c_message_unpack` produced.
///
/// The values are copied, so nothing returned points into the C struct after it is freed.
struct CMessageReader {
  let base: UnsafeRawPointer
  /// The descriptor's fields, which protobuf-c leaves NULL for a message without fields.
  let fields: UnsafePointer<ProtobufCFieldDescriptor>?

  init(base: UnsafeRawPointer, descriptor: UnsafePointer<ProtobufCMessageDescriptor>) {
    self.base = base
    self.fields = descriptor.pointee.fields
  }

  func scalar<T: BitwiseCopyable>(_ index: Int, as type: T.Type) -> T {
    load(index, as: T.self)
  }

  func bool(_ index: Int) -> Bool {
    load(index, as: protobuf_c_boolean.self) != 0
  }

  func enumValue<E: ProtoEnum>(_ index: Int, as type: E.Type) -> E {
    E(rawValue: load(index, as: Int32.self))
  }

  func string(_ index: Int) -> String {
    Self.string(load(index, as: UnsafePointer<CChar>?.self))
  }

  func bytes(_ index: Int) -> [UInt8] {
    Self.bytes(load(index, as: ProtobufCBinaryData.self))
  }

  func message<M: CBackedMessage>(_ index: Int, as type: M.Type) -> M? {
    guard let pointer = load(index, as: UnsafeRawPointer?.self) else {
      return nil
    }
    return M(cReader: CMessageReader(base: pointer, descriptor: nestedDescriptor(index)))
  }

  /// Returns the number of the set member of the oneof that the field at `index` belongs to, or 0.
  func oneofCase(_ index: Int) -> UInt32 {
    base.load(fromByteOffset: Int(fields![index].quantifier_offset), as: UInt32.self)
  }

  func repeatedScalar<T: BitwiseCopyable>(_ index: Int, as type: T.Type) -> [T] {
    repeated(index, as: T.self) { $0 }
  }

  func repeatedBool(_ index: Int) -> [Bool] {
    repeated(index, as: protobuf_c_boolean.self) { $0 != 0 }
  }

  func repeatedEnum<E: ProtoEnum>(_ index: Int, as type: E.Type) -> [E] {
    repeated(index, as: Int32.self) { E(rawValue: $0) }
  }

  func repeatedString(_ index: Int) -> [String] {
    repeated(index, as: UnsafePointer<CChar>?.self) { Self.string($0) }
  }

  func repeatedBytes(_ index: Int) -> [[UInt8]] {
    repeated(index, as: ProtobufCBinaryData.self) { Self.bytes($0) }
  }

  func repeatedMessage<M: CBackedMessage>(_ index: Int, as type: M.Type) -> [M] {
    let descriptor = nestedDescriptor(index)
    return repeated(index, as: UnsafeRawPointer?.self) { pointer in
      guard let pointer else {
        return M()
      }
      return M(cReader: CMessageReader(base: pointer, descriptor: descriptor))
    }
  }

  /// Reads a map from its entry messages. A key that repeats keeps its last value, as in proto3.
  func map<K: Hashable, V>(_ index: Int, _ readEntry: (CMessageReader) -> (K, V)) -> [K: V] {
    let descriptor = nestedDescriptor(index)
    let entries = repeated(index, as: UnsafeRawPointer?.self) { $0 }
    var map: [K: V] = [:]
    map.reserveCapacity(entries.count)
    for case let pointer? in entries {
      let (key, value) = readEntry(CMessageReader(base: pointer, descriptor: descriptor))
      map[key] = value
    }
    return map
  }

  private func load<T: BitwiseCopyable>(_ index: Int, as type: T.Type) -> T {
    base.load(fromByteOffset: Int(fields![index].offset), as: T.self)
  }

  private func repeated<C: BitwiseCopyable, Element>(
    _ index: Int, as type: C.Type, _ convert: (C) -> Element
  ) -> [Element] {
    let field = fields![index]
    let count = base.load(fromByteOffset: Int(field.quantifier_offset), as: Int.self)
    guard count > 0, let elements = load(index, as: UnsafeRawPointer?.self) else {
      return []
    }
    let stride = MemoryLayout<C>.stride
    return (0..<count).map { convert(elements.load(fromByteOffset: $0 * stride, as: C.self)) }
  }

  private func nestedDescriptor(_ index: Int) -> UnsafePointer<ProtobufCMessageDescriptor> {
    fields![index].descriptor.assumingMemoryBound(to: ProtobufCMessageDescriptor.self)
  }

  private static func string(_ pointer: UnsafePointer<CChar>?) -> String {
    guard let pointer else {
      return ""
    }
    return String(cString: pointer)
  }

  private static func bytes(_ data: ProtobufCBinaryData) -> [UInt8] {
    guard data.len > 0, let pointer = data.data else {
      return []
    }
    return [UInt8](UnsafeBufferPointer(start: pointer, count: data.len))
  }
}
