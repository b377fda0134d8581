import EdgecatCore

/// One page of principals, ordered by name.
public struct PrincipalPage: Sendable {
  public let principals: [PrincipalInfo]
  /// The token of the next page; empty on the last page.
  public let nextPageToken: String
}

extension PolicyEngine {
  static let principalList = "principals"

  /// Lists principals ordered by name, one page at a time, from the in-memory model. Only
  /// principals of `kinds` are listed, every kind when it is empty. A negative page size or a
  /// page token this call did not return is INVALID_ARGUMENT.
  public func listPrincipals(
    kinds: Set<PrincipalKind> = [], pageSize: Int = 0, pageToken: String = ""
  ) throws(PolicyError) -> PrincipalPage {
    let limit = try Paging.limit(pageSize)
    let after = try Paging.cursor(in: pageToken, list: Self.principalList)
    let model = snapshot.model

    // NOTE: this sorts every matching name on each call, O(n log n) per page. That suits
    // thousands of principals; a larger directory would keep a sorted index in the snapshot.
    var entries = model.principals.compactMap { entry -> PrincipalEntry? in
      guard let entry, kinds.isEmpty || kinds.contains(entry.kind) else { return nil }
      if let after, entry.name <= after { return nil }
      return entry
    }
    entries.sort { $0.name < $1.name }
    let page = entries.prefix(limit)
    let next =
      entries.count > limit
      ? Paging.token(list: Self.principalList, cursor: page.last?.name ?? "") : ""
    return PrincipalPage(
      principals: page.map { info(of: $0, in: model) }, nextPageToken: next)
  }
}
