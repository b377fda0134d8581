import EdgecatProto

/// `edgecat model-version create`: the flags of a new version and its signature.
enum ModelVersionCreate {
  static let flags = [
    FlagSpec("source", value: "RUN_OR_PATH", help: "training run id or path it came from"),
    FlagSpec(
      "training-table", value: "CATALOG.SCHEMA.TABLE", repeatable: true,
      help: "table the version was trained on, recorded as lineage"),
    FlagSpec(
      "signature-file", value: "PATH",
      help: "JSON file of the signature: {\"inputs\": [...], \"outputs\": [...]}"),
    FlagSpec(
      "input-tensor", value: "NAME:TYPE[:SHAPE]", repeatable: true,
      help: "model input, such as image:float32:-1,3,224,224 (-1 is any size); instead of"
        + " --signature-file"),
    FlagSpec(
      "output-tensor", value: "NAME:TYPE[:SHAPE]", repeatable: true,
      help: "model output in the same form"),
    FlagSpec("input-example-file", value: "PATH", help: "JSON file of an example input"),
    FlagSpec("format", value: "FORMAT", help: "artifact format (default: onnx)"),
    ModelCommands.tag,
    NameArguments.comment,
  ]

  static let details = """
    A signature needs at least one input and one output. A signature file holds
    {"inputs": [{"name": "image", "type": "float32", "shape": [-1, 3, 224, 224]}],
     "outputs": [{"name": "label", "type": "int64", "shape": [-1]}]}.
    example:
      edgecat model-version create main.ml.defects --source runs/42 \\
        --training-table main.features.images \\
        --input-tensor image:float32:-1,3,224,224 --output-tensor label:int64:-1
    """

  static func run(_ invocation: Invocation) async throws -> CommandOutput {
    let arguments = invocation.arguments
    var request = Edgecat_Registry_V1_CreateModelVersionRequest()
    request.modelFullName = try ModelCommands.modelName(arguments.positionals[0])
    request.source = arguments["source"] ?? ""
    request.trainingTables = try arguments.all("training-table").map {
      try NameArguments.split($0, parts: 3, kind: "table").joined(separator: ".")
    }
    request.signature = try signature(arguments, console: invocation.console)
    if let path = arguments["input-example-file"] {
      request.inputExample = try readFile(
        path, flag: "input-example-file", console: invocation.console)
    }
    request.format = arguments["format"] ?? ""
    request.tags = try ModelCommands.tags(arguments)
    request.comment = arguments["comment"] ?? ""
    let version: Edgecat_Registry_V1_ModelVersion = try await invocation.clients.call(
      .registry, "CreateModelVersion", request)
    return .record(RegistryJSON.version(version))
  }

  /// Reads a file named by `--flag`; a failure is a usage error naming the flag.
  static func readFile(_ path: String, flag: String, console: Console) throws -> String {
    do {
      return try console.readFile(path)
    } catch let error as CLIError {
      throw CLIError.usage("--\(flag): \(error.message); check the path")
    }
  }
}
