import CProtobufC

/// Encoding and decoding of generated messages through protobuf-c. Only this module calls
/// protobuf-c, and each call frees what it allocates before returning.
enum ProtoCodec {
  /// Validates `bytes` with `WireValidator`, unpacks them with protobuf-c and copies the result.
  static func decode<M: CBackedMessage>(
    _ type: M.Type, from bytes: [UInt8]
  ) throws(ProtoDecodingError) -> M {
    if bytes.isEmpty {
      return M()
    }
    let descriptor = M.cDescriptor.pointer
    let result = bytes.withUnsafeBytes { raw -> Result<M, ProtoDecodingError> in
      do throws(ProtoDecodingError) {
        try WireValidator.validate(raw, descriptor: descriptor)
      } catch {
        return .failure(error)
      }
      let data = raw.baseAddress!.assumingMemoryBound(to: UInt8.self)
      return DecodeMemory.with(byteCount: stackMemoryBytes) { allocator, memory in
        guard let message = protobuf_c_message_unpack(descriptor, &allocator, raw.count, data)
        else {
          return .failure(unpackFailed(M.protoMessageName))
        }
        defer {
          if memory.pointee.heapAllocations > 0 {
            protobuf_c_message_free_unpacked(message, &allocator)
          }
        }
        return .success(M(cReader: CMessageReader(base: message, descriptor: descriptor)))
      }
    }
    return try result.get()
  }

  /// Bytes of stack memory lent to each decode and to the arena of each encode, enough for the
  /// C structs and strings of most messages. The Swift 6.3 standard library puts up to 1,024 bytes of
  /// `withUnsafeTemporaryAllocation` on the stack, and a larger request may go to the heap.
  private static let stackMemoryBytes = 1024
  /// Messages up to this size are packed into the encode's arena, then copied.
  private static let packedInArenaBytes = 4096

  /// Builds the C struct of `message` in an arena, packs it into an array with room for
  /// `extraCapacity` more bytes and frees the arena.
  static func encode<M: CBackedMessage>(_ message: M, extraCapacity: Int = 0) -> [UInt8] {
    withUnsafeTemporaryAllocation(
      byteCount: stackMemoryBytes, alignment: ProtoArena.alignment
    ) { firstBlock in
      let descriptor = M.cDescriptor.pointer
      var arena = ProtoArena(firstBlock: firstBlock)
      return withUnsafeMutablePointer(to: &arena) { arena in
        let memory = CMessageWriter.newMessage(descriptor, in: arena)
        message.write(to: CMessageWriter(base: memory, descriptor: descriptor, arena: arena))
        let cMessage = memory.assumingMemoryBound(to: ProtobufCMessage.self)
        let size = protobuf_c_message_get_packed_size(cMessage)
        guard size > 0 || extraCapacity > 0 else {
          return []
        }
        let capacity = size + max(0, extraCapacity)
        guard size <= packedInArenaBytes else {
          return [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
            count = protobuf_c_message_pack(cMessage, buffer.baseAddress!)
          }
        }
        // A small message is packed into the arena and copied into an array made with
        // `reserveCapacity`, because `init(unsafeUninitializedCapacity:)` looks up the array
        // storage's generic metadata on every call, which costs more than the copy.
        let packed = arena.pointee.allocate(byteCount: max(size, 1))
          .assumingMemoryBound(to: UInt8.self)
        let count = protobuf_c_message_pack(cMessage, packed)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(capacity)
        bytes.append(contentsOf: UnsafeBufferPointer(start: packed, count: count))
        return bytes
      }
    }
  }

  private static func unpackFailed(_ name: String) -> ProtoDecodingError {
    ProtoDecodingError(
      message: "invalid \(name): protobuf-c could not unpack it, because a field has a wire type"
        + " or length that the field's type does not allow")
  }
}
