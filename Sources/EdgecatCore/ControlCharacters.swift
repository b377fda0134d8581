/// Control characters in free text such as comments, tags and property keys, which a terminal
/// that prints the text could take for escape sequences.
public enum ControlCharacters {
  /// Returns the first control character of `text` as "U+1B", or nil when it has none. With
  /// `allowingLineBreaks`, line feeds, carriage returns and tabs are not counted.
  public static func first(in text: String, allowingLineBreaks: Bool = false) -> String? {
    let control = text.unicodeScalars.first { scalar in
      guard scalar.properties.generalCategory == .control else { return false }
      return !(allowingLineBreaks && (scalar == "\n" || scalar == "\r" || scalar == "\t"))
    }
    return control.map { "U+" + String($0.value, radix: 16, uppercase: true) }
  }
}
