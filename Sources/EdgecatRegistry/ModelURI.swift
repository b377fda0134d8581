import EdgecatCore

/// How a model URI names a version.
public enum ModelReference: Sendable, Hashable {
  case version(Int64)
  case alias(String)
  /// The highest READY version.
  case latest
}

/// A parsed model URI: `models:/<model>/<version>`, `models:/<model>@<alias>` or
/// `models:/<model>/latest`, with the model's three-part full name in lower case.
public struct ModelURI: Sendable, Hashable {
  public static let scheme = "models:/"

  public let model: SecurableName
  public let reference: ModelReference

  /// Parses `text`. Anything else is INVALID_ARGUMENT showing the accepted forms.
  public init(_ text: String) throws(ServiceError) {
    guard text.hasPrefix(Self.scheme) else { throw Self.invalid(text) }
    let rest = text.dropFirst(Self.scheme.count)
    let modelText: Substring
    if let at = rest.firstIndex(of: "@") {
      modelText = rest[..<at]
      reference = .alias(try AliasName.validated(String(rest[rest.index(after: at)...])))
    } else if let slash = rest.lastIndex(of: "/") {
      modelText = rest[..<slash]
      let suffix = rest[rest.index(after: slash)...]
      if suffix.lowercased() == "latest" {
        reference = .latest
      } else if let number = Int64(suffix), number > 0, suffix.allSatisfy(\.isNumber) {
        reference = .version(number)
      } else {
        throw Self.invalid(text)
      }
    } else {
      throw Self.invalid(text)
    }
    let name = try SecurableName(String(modelText))
    guard name.parts.count == 3 else {
      throw .invalidArgument(
        "model URI \"\(text)\" names \"\(modelText)\"; name the model as catalog.schema.model")
    }
    model = name
  }

  private static func invalid(_ text: String) -> ServiceError {
    .invalidArgument(
      "model URI \"\(text)\" is invalid; write models:/<catalog.schema.model>/<version>,"
        + " models:/<catalog.schema.model>@<alias> or models:/<catalog.schema.model>/latest")
  }
}

extension RegistryEngine {
  /// Returns the version a reference names. A missing version, alias or READY version is
  /// NOT_FOUND.
  public func resolve(_ reference: ModelReference, of model: String) async throws(ServiceError)
    -> ModelVersionRecord
  {
    let number: Int64
    switch reference {
    case .version(let value):
      number = value
    case .alias(let alias):
      guard let record = try await self.alias(alias, of: model) else {
        throw Self.missingAlias(alias, model)
      }
      number = record.version
    case .latest:
      guard let latest = try await latestReadyVersion(of: model) else {
        throw .notFound(
          "registered model \(model) has no READY version, so models:/\(model)/latest names"
            + " none; upload an artifact first")
      }
      number = latest
    }
    guard let record = try await version(model, number) else {
      throw .notFound("version \(number) of registered model \(model) does not exist")
    }
    return record
  }
}
