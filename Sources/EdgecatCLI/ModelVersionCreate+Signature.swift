import EdgecatProto

extension ModelVersionCreate {
  /// Builds the signature from `--signature-file`, or from `--input-tensor` and
  /// `--output-tensor`. A missing side is a usage error, because the registry requires both.
  static func signature(_ arguments: ParsedArguments, console: Console) throws
    -> Edgecat_Registry_V1_ModelSignature
  {
    var signature = Edgecat_Registry_V1_ModelSignature()
    if let path = arguments["signature-file"] {
      guard arguments.all("input-tensor").isEmpty, arguments.all("output-tensor").isEmpty else {
        throw CLIError.usage(
          "give --signature-file or --input-tensor and --output-tensor, not both")
      }
      let text = try readFile(path, flag: "signature-file", console: console)
      do {
        let document = try JSONValue.parse(text)
        signature.inputs = try tensors(document["inputs"], side: "inputs")
        signature.outputs = try tensors(document["outputs"], side: "outputs")
      } catch let error as CLIError {
        throw CLIError.usage("--signature-file \(path): \(error.message)")
      }
    } else {
      signature.inputs = try arguments.all("input-tensor").map {
        try tensor($0, flag: "input-tensor")
      }
      signature.outputs = try arguments.all("output-tensor").map {
        try tensor($0, flag: "output-tensor")
      }
    }
    guard !signature.inputs.isEmpty, !signature.outputs.isEmpty else {
      throw CLIError.usage(
        "\(arguments.commandName) needs a signature with at least one input and one output;"
          + " pass --input-tensor and --output-tensor, or --signature-file")
    }
    return signature
  }

  /// Parses `NAME:TYPE[:SHAPE]`, where SHAPE is comma-separated dimensions.
  static func tensor(_ text: String, flag: String) throws -> Edgecat_Registry_V1_TensorSpec {
    let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
    var spec = Edgecat_Registry_V1_TensorSpec()
    guard (2...3).contains(parts.count), !parts[0].isEmpty, !parts[1].isEmpty else {
      throw CLIError.usage(
        "--\(flag) \"\(text)\" is invalid; use NAME:TYPE[:SHAPE], such as"
          + " image:float32:-1,3,224,224")
    }
    spec.name = parts[0]
    spec.type = parts[1]
    if parts.count == 3 {
      spec.shape = try parts[2].split(separator: ",").map { dimension in
        guard let size = Int64(dimension.trimmingPrefix(" ")), size >= -1 else {
          throw CLIError.usage(
            "--\(flag) \"\(text)\" has the dimension \"\(dimension)\"; use whole numbers from 0,"
              + " or -1 for any size")
        }
        return size
      }
    }
    return spec
  }

  private static func tensors(_ value: JSONValue?, side: String) throws
    -> [Edgecat_Registry_V1_TensorSpec]
  {
    guard let elements = value?.arrayValue else {
      throw CLIError.usage("\"\(side)\" must be an array of {\"name\", \"type\", \"shape\"}")
    }
    return try elements.map { element in
      guard let name = element["name"]?.stringValue, let type = element["type"]?.stringValue
      else {
        throw CLIError.usage("each of \"\(side)\" needs \"name\" and \"type\" strings")
      }
      var spec = Edgecat_Registry_V1_TensorSpec()
      spec.name = name
      spec.type = type
      spec.shape = try (element["shape"]?.arrayValue ?? []).map { dimension in
        guard case .number(let digits) = dimension, let size = Int64(digits), size >= -1 else {
          throw CLIError.usage(
            "the shape of \"\(name)\" must hold whole numbers from 0, or -1 for any size")
        }
        return size
      }
      return spec
    }
  }
}
