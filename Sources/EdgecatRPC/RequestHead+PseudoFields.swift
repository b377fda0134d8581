extension RequestHead {
  /// The pseudo-header fields of a request, one bit each.
  struct PseudoFields: OptionSet {
    let rawValue: UInt8
    static let method = PseudoFields(rawValue: 1)
    static let scheme = PseudoFields(rawValue: 2)
    static let path = PseudoFields(rawValue: 4)
    static let authority = PseudoFields(rawValue: 8)
  }

  /// Records a pseudo-header field, or why the request is malformed: RFC 9113 section 8.3.1
  /// allows each of the four request fields once, before every regular field.
  mutating func addPseudo(
    name: UnsafeBufferPointer<UInt8>, value: UnsafeBufferPointer<UInt8>,
    strings: inout HeaderStringCache
  ) {
    guard !sawRegularField else {
      return malformed(
        "pseudo-header field \(FieldSyntax.quoted(name)) follows a regular field; send"
          + " pseudo-header fields first")
    }
    let field: PseudoFields
    if Self.equals(name, ":path") {
      field = .path
    } else if Self.equals(name, ":method") {
      field = .method
    } else if Self.equals(name, ":scheme") {
      field = .scheme
    } else if Self.equals(name, ":authority") {
      field = .authority
    } else {
      return malformed(
        "\(FieldSyntax.quoted(name)) is not a request pseudo-header field; a request carries"
          + " :method, :scheme, :authority and :path")
    }
    guard !pseudoFields.contains(field) else {
      return malformed("the request repeats \(FieldSyntax.quoted(name)); send it once")
    }
    pseudoFields.insert(field)
    switch field {
    case .path:
      // A path equal to the previous call's passed this check already.
      if let previous = strings.previousPath(equalTo: value) {
        path = previous
      } else {
        if let problem = Self.pathProblem(value) { return malformed(problem) }
        path = strings.newPath(value)
      }
    case .method:
      // The method of every gRPC call, taken without decoding and validating its bytes.
      method = Self.equals(value, "POST") ? "POST" : String(decoding: value, as: UTF8.self)
    case .scheme:
      if Self.equals(value, "http") || Self.equals(value, "https") { return }
      if let problem = Self.schemeProblem(value) { malformed(problem) }
    default:
      // An authority equal to the previous call's passed this check already.
      if strings.isPreviousAuthority(value) { return }
      if let problem = Self.authorityProblem(value) { return malformed(problem) }
      strings.keepAuthority(value)
    }
  }

  /// Returns why `value` is not a URI scheme (RFC 3986 section 3.1): a letter, then letters,
  /// digits, `+`, `-` or `.`. RFC 9113 section 8.3.1 requires a valid `:scheme`.
  static func schemeProblem(_ value: UnsafeBufferPointer<UInt8>) -> String? {
    func isLetter(_ byte: UInt8) -> Bool {
      (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z")
    }
    let valid =
      value.first.map(isLetter) == true
      && value.allSatisfy { byte in
        isLetter(byte) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
          || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
      }
    guard !valid else { return nil }
    return ":scheme \(FieldSyntax.quoted(value)) is not a URI scheme; send http or https"
  }

  /// The characters besides letters and digits that an authority may contain.
  private static let authorityPunctuation = Set("-._~!$&'()*+,;=:%[]".utf8)

  /// Returns why `value` is not an authority: a byte outside the characters of RFC 3986
  /// section 3.2 (letters, digits and `-._~!$&'()*+,;=:%[]`), as nghttp2 checks it. `@` is
  /// out too, because RFC 9113 section 8.3.1 forbids userinfo in `:authority`.
  static func authorityProblem(_ value: UnsafeBufferPointer<UInt8>) -> String? {
    for byte in value {
      let isAlphanumeric =
        (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
        || ((byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z"))
      if isAlphanumeric || authorityPunctuation.contains(byte) { continue }
      return ":authority \(FieldSyntax.quoted(value)) has the byte 0x\(FieldSyntax.hex(byte)),"
        + " which an authority cannot contain; send host:port"
    }
    return nil
  }

  /// The pseudo-header field that a complete request lacks, or nil when none is missing. A
  /// CONNECT request carries no `:scheme` or `:path`, so it is left to the POST check.
  var missingPseudoField: String? {
    if pseudoFields.contains(.method) && method == "CONNECT" { return nil }
    if !pseudoFields.contains(.method) { return ":method" }
    if !pseudoFields.contains(.scheme) { return ":scheme" }
    if !pseudoFields.contains(.path) { return ":path" }
    return nil
  }

  /// Notes the first reason the request is malformed; later fields are not read.
  mutating func malformed(_ problem: String) {
    if malformation == nil { malformation = problem }
  }

  /// Returns why `value` is not a gRPC request path: one that starts with `/` and contains
  /// only printable ASCII other than space.
  static func pathProblem(_ value: UnsafeBufferPointer<UInt8>) -> String? {
    guard value.first == UInt8(ascii: "/") else {
      return ":path \(FieldSyntax.quoted(value)) does not start with /; send"
        + " /package.Service/Method"
    }
    for byte in value where byte <= 0x20 || byte >= 0x7F {
      return ":path \(FieldSyntax.quoted(value)) contains a space, a control character or a byte"
        + " above 0x7E; send /package.Service/Method"
    }
    return nil
  }
}
