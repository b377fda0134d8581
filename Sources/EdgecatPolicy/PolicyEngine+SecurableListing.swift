import EdgecatCore

/// One page of securables, ordered by full name.
public struct SecurablePage: Sendable {
  public let securables: [SecurableInfo]
  /// The token of the next page, or empty on the last page.
  public let nextPageToken: String
}

extension PolicyEngine {
  static let securableList = "securables"

  /// Lists every securable but the metastore, ordered by full name, one page at a time, from
  /// the in-memory model. A negative page size or a page token this call did not return is
  /// INVALID_ARGUMENT. The caller checks that the requester may see the whole tree.
  public func listSecurables(
    pageSize: Int = 0, pageToken: String = ""
  ) throws(PolicyError) -> SecurablePage {
    let limit = try Paging.limit(pageSize)
    let after = try Paging.cursor(in: pageToken, list: Self.securableList)
    let model = snapshot.model

    // NOTE: this sorts every remaining name on each call, O(n log n) per page. That suits tens
    // of thousands of securables. A larger tree would keep a sorted index in the snapshot.
    var entries = model.securables.compactMap { entry -> SecurableEntry? in
      guard let entry, entry.type != .metastore else { return nil }
      if let after, entry.fullName <= after { return nil }
      return entry
    }
    entries.sort { $0.fullName < $1.fullName }
    let page = entries.prefix(limit)
    let next =
      entries.count > limit
      ? Paging.token(list: Self.securableList, cursor: page.last?.fullName ?? "") : ""
    return SecurablePage(
      securables: page.map { info(of: $0, in: model) }, nextPageToken: next)
  }

  /// Returns the public view of `entry` with its owner's name and its sorted children.
  func info(of entry: SecurableEntry, in model: PolicyModel) -> SecurableInfo {
    SecurableInfo(
      type: entry.type, fullName: entry.fullName, owner: model.principal(entry.owner).name,
      createdAt: entry.createdAt, function: entry.function, columns: entry.columns,
      children: entry.children.map { model.securable($0).fullName }.sorted())
  }
}
