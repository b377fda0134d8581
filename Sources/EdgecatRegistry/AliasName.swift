import EdgecatCore

/// The rules for alias names.
public enum AliasName {
  public static let maximumLength = 255

  /// Returns the alias in lower case, as aliases are compared. An alias is 1 to 255 ASCII
  /// letters, digits, '_' and '-'. "latest" and "v" followed by digits are reserved, because
  /// model URIs and version names use them. Anything else is INVALID_ARGUMENT.
  public static func validated(_ text: String) throws(ServiceError) -> String {
    guard !text.isEmpty, text.utf8.count <= maximumLength,
      text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") })
    else {
      throw .invalidArgument(
        "alias \"\(text)\" is invalid; use 1 to \(maximumLength) ASCII letters, digits, '_'"
          + " or '-'")
    }
    let alias = text.lowercased()
    if alias == "latest" || isVersionName(alias) {
      throw .invalidArgument(
        "alias \"\(text)\" is reserved: \"latest\" and \"v\" followed by digits name versions;"
          + " choose another alias")
    }
    return alias
  }

  /// True for "v" followed by one or more digits, such as "v12".
  static func isVersionName(_ text: String) -> Bool {
    text.count > 1 && text.first == "v" && text.dropFirst().allSatisfy(\.isNumber)
  }
}
