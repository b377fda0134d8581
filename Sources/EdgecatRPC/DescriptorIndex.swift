/// An index of a serialized `google.protobuf.FileDescriptorSet`: each file's bytes, its
/// dependencies and the fully qualified symbols it defines, for server reflection.
///
/// It reads only the few fields reflection needs, straight from the wire format, so the
/// transport needs no generated code for descriptor.proto.
struct DescriptorIndex: Sendable {
  struct File: Sendable {
    let name: String
    let bytes: [UInt8]
    let dependencies: [String]
  }

  private(set) var files: [String: File] = [:]
  /// Symbol (message, enum, service, method or extension, with its package) to file name.
  private(set) var fileBySymbol: [String: String] = [:]
  /// Message name to the extension field numbers declared for it.
  private(set) var extensionNumbers: [String: [Int32]] = [:]

  init(fileDescriptorSet: [UInt8]) {
    var reader = WireReader(fileDescriptorSet[...])
    while let (field, value) = reader.next() {
      guard field == 1, case .bytes(let fileBytes) = value else { continue }
      index(file: Array(fileBytes))
    }
  }

  /// Returns `name` and every file it depends on, transitively, dependencies first.
  func fileWithDependencies(_ name: String) -> [File] {
    var ordered: [File] = []
    var seen: Set<String> = []
    func visit(_ name: String) {
      guard !seen.contains(name), let file = files[name] else { return }
      seen.insert(name)
      for dependency in file.dependencies { visit(dependency) }
      ordered.append(file)
    }
    visit(name)
    return ordered
  }

  private mutating func index(file bytes: [UInt8]) {
    var name = ""
    var package = ""
    var dependencies: [String] = []
    var messages: [ArraySlice<UInt8>] = []
    var enums: [ArraySlice<UInt8>] = []
    var services: [ArraySlice<UInt8>] = []
    var extensions: [ArraySlice<UInt8>] = []
    var reader = WireReader(bytes[...])
    while let (field, value) = reader.next() {
      guard case .bytes(let body) = value else { continue }
      switch field {
      case 1: name = String(decoding: body, as: UTF8.self)
      case 2: package = String(decoding: body, as: UTF8.self)
      case 3: dependencies.append(String(decoding: body, as: UTF8.self))
      case 4: messages.append(body)
      case 5: enums.append(body)
      case 6: services.append(body)
      case 7: extensions.append(body)
      default: break
      }
    }
    files[name] = File(name: name, bytes: bytes, dependencies: dependencies)
    let prefix = package.isEmpty ? "" : package + "."
    for message in messages { indexMessage(message, prefix: prefix, file: name) }
    for body in enums { add(prefix + Self.name(of: body), file: name) }
    for service in services { indexService(service, prefix: prefix, file: name) }
    for body in extensions { indexExtension(body, prefix: prefix, file: name) }
  }

  private mutating func indexMessage(_ body: ArraySlice<UInt8>, prefix: String, file: String) {
    let fullName = prefix + Self.name(of: body)
    add(fullName, file: file)
    var reader = WireReader(body)
    while let (field, value) = reader.next() {
      guard case .bytes(let child) = value else { continue }
      switch field {
      case 3: indexMessage(child, prefix: fullName + ".", file: file)
      case 4: add(fullName + "." + Self.name(of: child), file: file)
      case 6: indexExtension(child, prefix: fullName + ".", file: file)
      default: break
      }
    }
  }

  private mutating func indexService(_ body: ArraySlice<UInt8>, prefix: String, file: String) {
    let fullName = prefix + Self.name(of: body)
    add(fullName, file: file)
    var reader = WireReader(body)
    while let (field, value) = reader.next() {
      if field == 2, case .bytes(let method) = value {
        add(fullName + "." + Self.name(of: method), file: file)
      }
    }
  }

  /// Records an extension field (FieldDescriptorProto: name 1, number 3, extendee 2).
  private mutating func indexExtension(_ body: ArraySlice<UInt8>, prefix: String, file: String) {
    add(prefix + Self.name(of: body), file: file)
    var extendee = ""
    var number: Int32 = 0
    var reader = WireReader(body)
    while let (field, value) = reader.next() {
      switch (field, value) {
      case (2, .bytes(let text)): extendee = String(decoding: text, as: UTF8.self)
      case (3, .varint(let value)): number = Int32(truncatingIfNeeded: value)
      default: break
      }
    }
    if extendee.hasPrefix(".") { extendee.removeFirst() }
    extensionNumbers[extendee, default: []].append(number)
  }

  private mutating func add(_ symbol: String, file: String) {
    fileBySymbol[symbol] = file
  }

  /// Field 1, `name`, of a descriptor message.
  private static func name(of body: ArraySlice<UInt8>) -> String {
    var reader = WireReader(body)
    while let (field, value) = reader.next() {
      if field == 1, case .bytes(let text) = value { return String(decoding: text, as: UTF8.self) }
    }
    return ""
  }
}

/// Reads protobuf wire-format fields one at a time; stops at the first malformed byte.
struct WireReader {
  enum Value {
    case varint(UInt64)
    case bytes(ArraySlice<UInt8>)
    case fixed
  }

  private var bytes: ArraySlice<UInt8>

  init(_ bytes: ArraySlice<UInt8>) {
    self.bytes = bytes
  }

  mutating func next() -> (Int, Value)? {
    guard let key = readVarint() else { return nil }
    let field = Int(key >> 3)
    switch key & 7 {
    case 0:
      guard let value = readVarint() else { return nil }
      return (field, .varint(value))
    case 1:
      guard bytes.count >= 8 else { return nil }
      bytes = bytes.dropFirst(8)
      return (field, .fixed)
    case 2:
      guard let length = readVarint(), length <= UInt64(bytes.count) else { return nil }
      let body = bytes.prefix(Int(length))
      bytes = bytes.dropFirst(Int(length))
      return (field, .bytes(body))
    case 5:
      guard bytes.count >= 4 else { return nil }
      bytes = bytes.dropFirst(4)
      return (field, .fixed)
    default:
      return nil
    }
  }

  private mutating func readVarint() -> UInt64? {
    var result: UInt64 = 0
    var shift: UInt64 = 0
    while let byte = bytes.first {
      bytes = bytes.dropFirst()
      result |= UInt64(byte & 0x7F) << shift
      if byte & 0x80 == 0 { return result }
      shift += 7
      if shift >= 64 { return nil }
    }
    return nil
  }
}
