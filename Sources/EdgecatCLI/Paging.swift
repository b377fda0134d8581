/// The flags of every paged list, and the loop that follows `next_page_token`.
enum Paging {
  static let flags = [
    FlagSpec(
      "max-results", value: "N",
      help: "stop after N items (default: every item, following each next page)"),
    FlagSpec(
      "page-size", value: "N",
      help: "items per request, 1 to 1000 (default: the service's, 100)"),
  ]

  /// Fetches pages until the service returns an empty next page token or `--max-results`
  /// items arrived. `fetch` takes a page size (0 for the service's default) and a page token,
  /// and returns the page's items and the next token.
  static func collect<Item>(
    _ arguments: ParsedArguments,
    fetch: (_ pageSize: Int32, _ pageToken: String) async throws -> ([Item], String)
  ) async throws -> [Item] {
    let maximum = try arguments.integer("max-results", in: 1...1_000_000)
    let pageSize = try arguments.integer("page-size", in: 1...1000)
    var items: [Item] = []
    var token = ""
    repeat {
      var size = pageSize ?? 0
      if let maximum {
        size = min(size == 0 ? 1000 : size, maximum - items.count)
      }
      let (page, next) = try await fetch(Int32(size), token)
      items += page
      token = next
      if let maximum, items.count >= maximum { return Array(items.prefix(maximum)) }
    } while !token.isEmpty
    return items
  }
}
