// CEdgecatProto is imported for the PROTOBUF_C_TYPE_ constants: the umbrella header includes
// protobuf-c.h too, and Swift 6.3 finds those enum constants only through this module.
import CEdgecatProto
import CProtobufC

/// Check of protobuf wire data against a protobuf-c descriptor, run before unpacking it.
///
/// protobuf-c 1.4 copies a string field into a NUL-terminated `char *` without checking it, so
/// invalid UTF-8 would reach Swift and an embedded NUL would cut the string short. This walk
/// rejects both, in nested messages and map entries too. It also rejects truncated values, invalid
/// wire types and nesting deeper than `maxDepth`, which would let protobuf-c's recursive unpack
/// use unbounded stack. Unknown fields are skipped.
enum WireValidator {
  /// Deepest nesting of messages accepted, the default recursion limit of protobuf C++.
  static let maxDepth = 100

  static func validate(
    _ bytes: UnsafeRawBufferPointer, descriptor: UnsafePointer<ProtobufCMessageDescriptor>
  ) throws(ProtoDecodingError) {
    do {
      try walk(bytes, from: 0, to: bytes.count, descriptor: descriptor, depth: 1)
    } catch {
      throw error.decodingError(root: String(cString: descriptor.pointee.name))
    }
  }

  private static func walk(
    _ bytes: UnsafeRawBufferPointer, from start: Int, to end: Int,
    descriptor: UnsafePointer<ProtobufCMessageDescriptor>, depth: Int
  ) throws(WireFault) {
    var position = start
    while position < end {
      let tagOffset = position
      let tag = try readVarint(bytes, &position, end, what: "the field tag")
      let number = tag >> 3
      guard number >= 1, number <= 0x1FFF_FFFF else {
        throw WireFault(problem: .invalidFieldNumber(number), offset: tagOffset)
      }
      switch tag & 7 {
      case 0:
        _ = try readVarint(bytes, &position, end, what: "the varint")
      case 1:
        try skip(8, &position, end, what: "the 8-byte value")
      case 5:
        try skip(4, &position, end, what: "the 4-byte value")
      case 2:
        let lengthOffset = position
        let length = try readVarint(bytes, &position, end, what: "the length")
        guard length <= UInt64(end - position) else {
          throw WireFault(problem: .truncated("the length-delimited value"), offset: lengthOffset)
        }
        let valueEnd = position + Int(length)
        if let field = protobuf_c_message_descriptor_get_field(descriptor, UInt32(number)) {
          try checkValue(bytes, from: position, to: valueEnd, field: field, depth: depth)
        }
        position = valueEnd
      case 3, 4:
        throw WireFault(problem: .groupWireType(tag & 7), offset: tagOffset)
      default:
        throw WireFault(problem: .invalidWireType(tag & 7), offset: tagOffset)
      }
    }
  }

  /// Checks one length-delimited value of a known field: a string, or a message to walk into.
  private static func checkValue(
    _ bytes: UnsafeRawBufferPointer, from start: Int, to end: Int,
    field: UnsafePointer<ProtobufCFieldDescriptor>, depth: Int
  ) throws(WireFault) {
    // The field's name is made into a String only for an error, so a valid message does not
    // pay for it.
    func name() -> String { String(cString: field.pointee.name) }
    switch field.pointee.type {
    case PROTOBUF_C_TYPE_STRING:
      if let problem = UTF8Check.problem(in: UnsafeRawBufferPointer(rebasing: bytes[start..<end])) {
        throw WireFault(problem: problem, offset: start, path: [name()])
      }
    case PROTOBUF_C_TYPE_MESSAGE:
      guard depth < maxDepth else {
        throw WireFault(problem: .tooDeep, offset: start, path: [name()])
      }
      let nested = field.pointee.descriptor.assumingMemoryBound(to: ProtobufCMessageDescriptor.self)
      do {
        try walk(bytes, from: start, to: end, descriptor: nested, depth: depth + 1)
      } catch {
        var fault = error
        fault.path.insert(name(), at: 0)
        throw fault
      }
    default:
      break
    }
  }

  private static func readVarint(
    _ bytes: UnsafeRawBufferPointer, _ position: inout Int, _ end: Int, what: String
  ) throws(WireFault) -> UInt64 {
    let start = position
    var value: UInt64 = 0
    var shift: UInt64 = 0
    while position < end, shift < 70 {
      let byte = bytes[position]
      position += 1
      value |= UInt64(byte & 0x7F) << shift
      if byte & 0x80 == 0 {
        return value
      }
      shift += 7
    }
    let problem: WireFault.Problem = shift >= 70 ? .overlongVarint : .truncated(what)
    throw WireFault(problem: problem, offset: start)
  }

  private static func skip(
    _ count: Int, _ position: inout Int, _ end: Int, what: String
  ) throws(WireFault) {
    guard end - position >= count else {
      throw WireFault(problem: .truncated(what), offset: position)
    }
    position += count
  }
}
