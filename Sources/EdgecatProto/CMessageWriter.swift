import CProtobufC

/// Writer of Swift values into one protobuf-c C struct, for `protobuf_c_message_pack`.
///
/// Strings, bytes, arrays and nested structs are copied into `arena`, which owns them until the
/// encode finishes. Empty strings, bytes and arrays outside a oneof are left at the defaults that
/// `protobuf_c_message_init` set, and setting a oneof member also sets the oneof's case.
struct CMessageWriter {
  let base: UnsafeMutableRawPointer
  /// The descriptor's fields, which protobuf-c leaves NULL for a message without fields.
  let fields: UnsafePointer<ProtobufCFieldDescriptor>?
  /// The encode's arena, which outlives every writer of the encode.
  let arena: UnsafeMutablePointer<ProtoArena>

  init(
    base: UnsafeMutableRawPointer, descriptor: UnsafePointer<ProtobufCMessageDescriptor>,
    arena: UnsafeMutablePointer<ProtoArena>
  ) {
    self.base = base
    self.fields = descriptor.pointee.fields
    self.arena = arena
  }

  /// Allocates a C struct of `descriptor` in `arena` and sets its fields to their defaults.
  static func newMessage(
    _ descriptor: UnsafePointer<ProtobufCMessageDescriptor>,
    in arena: UnsafeMutablePointer<ProtoArena>
  ) -> UnsafeMutableRawPointer {
    let memory = arena.pointee.allocate(byteCount: Int(descriptor.pointee.sizeof_message))
    protobuf_c_message_init(descriptor, memory)
    return memory
  }

  func setScalar<T: BitwiseCopyable>(_ index: Int, _ value: T) {
    store(value, at: index)
  }

  func setBool(_ index: Int, _ value: Bool) {
    store(protobuf_c_boolean(value ? 1 : 0), at: index)
  }

  func setEnum<E: ProtoEnum>(_ index: Int, _ value: E) {
    store(value.rawValue, at: index)
  }

  func setString(_ index: Int, _ value: String) {
    if value.isEmpty && !isOneofMember(index) {
      return
    }
    store(arena.pointee.cString(value), at: index)
  }

  func setBytes(_ index: Int, _ value: [UInt8]) {
    if value.isEmpty && !isOneofMember(index) {
      return
    }
    store(binaryData(value), at: index)
  }

  func setMessage<M: CBackedMessage>(_ index: Int, _ value: M?) {
    guard let value else {
      return
    }
    store(nestedMessage(value, descriptor: nestedDescriptor(index)), at: index)
  }

  func setRepeatedScalar<T: BitwiseCopyable>(_ index: Int, _ values: [T]) {
    let elements = values.withUnsafeBytes { arena.pointee.copy($0) }
    storeRepeated(count: values.count, elements: elements, at: index)
  }

  func setRepeatedBool(_ index: Int, _ values: [Bool]) {
    setRepeated(index, values) { protobuf_c_boolean($0 ? 1 : 0) }
  }

  func setRepeatedEnum<E: ProtoEnum>(_ index: Int, _ values: [E]) {
    setRepeated(index, values) { $0.rawValue }
  }

  func setRepeatedString(_ index: Int, _ values: [String]) {
    setRepeated(index, values) { arena.pointee.cString($0) }
  }

  func setRepeatedBytes(_ index: Int, _ values: [[UInt8]]) {
    setRepeated(index, values) { binaryData($0) }
  }

  func setRepeatedMessage<M: CBackedMessage>(_ index: Int, _ values: [M]) {
    let descriptor = nestedDescriptor(index)
    setRepeated(index, values) { nestedMessage($0, descriptor: descriptor) }
  }

  /// Writes a map as its repeated entry messages, in `ProtoMapKey` order so that equal maps
  /// encode to equal bytes.
  func setMap<K: ProtoMapKey, V>(
    _ index: Int, _ map: [K: V], _ writeEntry: (CMessageWriter, K, V) -> Void
  ) {
    let descriptor = nestedDescriptor(index)
    let entries = map.sorted { K.protoSortsBefore($0.key, $1.key) }
    setRepeated(index, entries) { entry in
      let memory = Self.newMessage(descriptor, in: arena)
      writeEntry(
        CMessageWriter(base: memory, descriptor: descriptor, arena: arena), entry.0, entry.1)
      return memory
    }
  }

  private func setRepeated<Element, C: BitwiseCopyable>(
    _ index: Int, _ values: [Element], _ convert: (Element) -> C
  ) {
    guard !values.isEmpty else {
      return
    }
    let stride = MemoryLayout<C>.stride
    let elements = arena.pointee.allocate(byteCount: stride * values.count)
    for (offset, value) in values.enumerated() {
      elements.storeBytes(of: convert(value), toByteOffset: offset * stride, as: C.self)
    }
    storeRepeated(count: values.count, elements: elements, at: index)
  }

  private func storeRepeated(count: Int, elements: UnsafeMutableRawPointer?, at index: Int) {
    guard count > 0 else {
      return
    }
    let field = fields![index]
    base.storeBytes(of: count, toByteOffset: Int(field.quantifier_offset), as: Int.self)
    base.storeBytes(
      of: elements, toByteOffset: Int(field.offset), as: UnsafeMutableRawPointer?.self)
  }

  private func store<T: BitwiseCopyable>(_ value: T, at index: Int) {
    let field = fields![index]
    base.storeBytes(of: value, toByteOffset: Int(field.offset), as: T.self)
    if field.flags & PROTOBUF_C_FIELD_FLAG_ONEOF.rawValue != 0 {
      base.storeBytes(of: field.id, toByteOffset: Int(field.quantifier_offset), as: UInt32.self)
    }
  }

  private func isOneofMember(_ index: Int) -> Bool {
    fields![index].flags & PROTOBUF_C_FIELD_FLAG_ONEOF.rawValue != 0
  }

  private func nestedDescriptor(_ index: Int) -> UnsafePointer<ProtobufCMessageDescriptor> {
    fields![index].descriptor.assumingMemoryBound(to: ProtobufCMessageDescriptor.self)
  }

  private func nestedMessage<M: CBackedMessage>(
    _ value: M, descriptor: UnsafePointer<ProtobufCMessageDescriptor>
  ) -> UnsafeMutableRawPointer {
    let memory = Self.newMessage(descriptor, in: arena)
    value.write(to: CMessageWriter(base: memory, descriptor: descriptor, arena: arena))
    return memory
  }

  private func binaryData(_ bytes: [UInt8]) -> ProtobufCBinaryData {
    let data = bytes.withUnsafeBytes { arena.pointee.copy($0) }
    return ProtobufCBinaryData(len: bytes.count, data: data?.assumingMemoryBound(to: UInt8.self))
  }
}
