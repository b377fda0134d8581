/// Privilege names as SQL and people write them.
enum Privileges {
  /// Upper snake case, such as `USE_CATALOG` for `use catalog`; `ALL` means ALL_PRIVILEGES.
  static func normalize(_ text: String) -> String {
    let words = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "_" })
    let name = words.map { $0.uppercased() }.joined(separator: "_")
    return name == "ALL" ? "ALL_PRIVILEGES" : name
  }
}
