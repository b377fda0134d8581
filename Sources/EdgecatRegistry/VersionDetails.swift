import EdgecatCore
import EdgecatProto

public typealias CreateModelVersionRequest = Edgecat_Registry_V1_CreateModelVersionRequest
public typealias TagMessage = Edgecat_Catalog_V1_Tag

/// Validation of what a model version is created with.
public enum VersionDetails {
  public static let maximumSourceLength = 4096
  public static let maximumTrainingTables = 100
  public static let maximumInputExampleBytes = 1 << 20
  public static let maximumCommentLength = 10_000
  public static let maximumTagKeyLength = 255
  public static let maximumTagValueLength = 1000
  public static let defaultFormat = "onnx"

  /// Returns the details to store for `request`: names in lower case and the default format
  /// filled in. Any invalid field is INVALID_ARGUMENT naming it.
  public static func validated(_ request: CreateModelVersionRequest) throws(ServiceError)
    -> ModelVersionMessage
  {
    var details = ModelVersionMessage()
    guard request.source.count <= maximumSourceLength else {
      throw .invalidArgument(
        "source has \(request.source.count) characters; the maximum is \(maximumSourceLength)")
    }
    details.source = request.source
    details.trainingTables = try trainingTables(request.trainingTables)
    guard let signature = request.signature else {
      throw .invalidArgument("signature is missing; give the model's inputs and outputs")
    }
    try validate(signature.inputs, field: "signature.inputs")
    try validate(signature.outputs, field: "signature.outputs")
    details.signature = signature
    guard request.inputExample.utf8.count <= maximumInputExampleBytes else {
      throw .invalidArgument(
        "input_example has \(request.inputExample.utf8.count) bytes; the maximum is"
          + " \(maximumInputExampleBytes)")
    }
    if !request.inputExample.isEmpty {
      do {
        try JSONSyntax.validate(request.inputExample)
      } catch {
        throw .invalidArgument(
          "input_example is not valid JSON at byte offset \(error.offset): \(error.message);"
            + " send a JSON value or leave it empty")
      }
    }
    details.inputExample = request.inputExample
    details.format = try format(request.format)
    for tag in request.tags { try validateTag(key: tag.key, value: tag.value) }
    details.tags = sortedTags(request.tags)
    guard request.comment.count <= maximumCommentLength else {
      throw .invalidArgument(
        "comment has \(request.comment.count) characters; the maximum is"
          + " \(maximumCommentLength)")
    }
    if let control = ControlCharacters.first(in: request.comment, allowingLineBreaks: true) {
      throw .invalidArgument(
        "comment contains control character \(control); remove it (line breaks and tabs are"
          + " allowed)")
    }
    details.comment = request.comment
    return details
  }

  /// Checks a tag's key and value lengths. Keys may not contain control characters.
  public static func validateTag(key: String, value: String) throws(ServiceError) {
    guard !key.isEmpty, key.count <= maximumTagKeyLength, ControlCharacters.first(in: key) == nil
    else {
      throw .invalidArgument(
        "tag key \"\(key)\" is invalid; use 1 to \(maximumTagKeyLength) characters without"
          + " control characters")
    }
    guard value.count <= maximumTagValueLength else {
      throw .invalidArgument(
        "tag \(key) has a value of \(value.count) characters; the maximum is"
          + " \(maximumTagValueLength)")
    }
  }

  /// Sorts tags by key. A later tag with a key given before replaces it.
  public static func sortedTags(_ tags: [TagMessage]) -> [TagMessage] {
    var byKey: [String: TagMessage] = [:]
    for tag in tags { byKey[tag.key] = tag }
    return byKey.keys.sorted().map { byKey[$0]! }
  }

  private static func trainingTables(_ names: [String]) throws(ServiceError) -> [String] {
    guard names.count <= maximumTrainingTables else {
      throw .invalidArgument(
        "training_tables has \(names.count) entries; the maximum is \(maximumTrainingTables)")
    }
    var result: [String] = []
    for text in names {
      let name = try SecurableName(text)
      guard name.parts.count == 3 else {
        throw .invalidArgument(
          "training table \"\(text)\" has \(name.parts.count) parts; name it"
            + " catalog.schema.table")
      }
      if !result.contains(name.fullName) { result.append(name.fullName) }
    }
    return result
  }

  /// The element types a tensor may have: the ONNX element types under their numpy names.
  static let tensorElementTypes = [
    "float16", "bfloat16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8",
    "uint16", "uint32", "uint64", "bool", "string", "complex64", "complex128",
  ]

  private static func validate(_ tensors: [Edgecat_Registry_V1_TensorSpec], field: String)
    throws(ServiceError)
  {
    guard !tensors.isEmpty else {
      throw .invalidArgument("\(field) is empty; a signature needs at least one input and output")
    }
    var seen: Set<String> = []
    for (index, tensor) in tensors.enumerated() {
      guard !tensor.name.isEmpty, tensor.name.count <= 255, seen.insert(tensor.name).inserted
      else {
        throw .invalidArgument(
          "\(field)[\(index)] has name \"\(tensor.name)\"; use a unique name of 1 to 255"
            + " characters")
      }
      guard tensorElementTypes.contains(tensor.type) else {
        throw .invalidArgument(
          "\(field)[\(index)].type \"\(tensor.type)\" is not a tensor element type; use one of "
            + tensorElementTypes.joined(separator: ", "))
      }
      guard tensor.shape.allSatisfy({ $0 >= -1 }) else {
        throw .invalidArgument(
          "\(field)[\(index)] has a dimension below -1; use -1 for a dimension of any size")
      }
    }
  }

  private static func format(_ text: String) throws(ServiceError) -> String {
    guard !text.isEmpty else { return defaultFormat }
    let lowered = text.lowercased()
    guard isToken(lowered, maximum: 32) else {
      throw .invalidArgument(
        "format \"\(text)\" is invalid; use 1 to 32 letters, digits, '_', '-' or '.', such as"
          + " onnx")
    }
    return lowered
  }

  private static func isToken(_ text: String, maximum: Int) -> Bool {
    !text.isEmpty && text.count <= maximum
      && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "_-.".contains($0)) }
  }
}
