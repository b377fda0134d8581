import EdgecatCatalog
import EdgecatCore
import EdgecatRPC
import EdgecatServiceKit

extension CatalogServer {
  /// Returns one page of the objects the end user may see, and the token of the next page,
  /// empty on the last. `fetch` reads stored objects in order after a cursor, and `key` gives
  /// an object's cursor. Objects the user may not see are skipped, so every page but the last
  /// has `page_size` visible objects. The token is set only when a further visible object
  /// exists.
  func visiblePage(
    _ caller: Caller, pageSize: Int32, pageToken: String, list: String,
    key: (CatalogObject) -> String,
    fetch: (_ after: String?, _ limit: Int) async throws(ServiceError) -> [CatalogObject]
  ) async throws(RPCError) -> (objects: [CatalogObject], nextPageToken: String) {
    let limit = try mapped { () throws(ServiceError) in try Paging.limit(Int(pageSize)) }
    var cursor = try mapped { () throws(ServiceError) in
      try Paging.cursor(in: pageToken, list: list)
    }
    var visible: [CatalogObject] = []
    while visible.count <= limit {
      let after = cursor
      let batch = try await mappedAsync { () async throws(ServiceError) in
        try await fetch(after, limit + 1)
      }
      guard let last = batch.last else { break }
      cursor = key(last)
      let allowed = try await visibility(of: batch, caller)
      for (object, isVisible) in zip(batch, allowed) where isVisible { visible.append(object) }
      if batch.count < limit + 1 { break }
    }
    let count = Self.pageCount(visible, limit: limit)
    guard visible.count > count else { return (visible, "") }
    let page = Array(visible.prefix(count))
    return (page, Paging.token(list: list, cursor: key(page[count - 1])))
  }

  /// The maximum stored bytes of one page. The rest of the 4 MiB message limit is left for names
  /// and encoding, which `perObjectOverhead` estimates per object.
  static let maximumPageBytes = 3 * 1024 * 1024
  static let perObjectOverhead = 512

  /// Returns how many of `objects` the page holds: at most `limit`, and only as many as fit in
  /// `maximumPageBytes`, but at least one.
  static func pageCount(_ objects: [CatalogObject], limit: Int) -> Int {
    var bytes = 0
    for (index, object) in objects.prefix(limit).enumerated() {
      bytes += object.details.count + perObjectOverhead
      if bytes > maximumPageBytes { return max(1, index) }
    }
    return min(limit, objects.count)
  }

  /// Returns, for each object, whether the end user may see it, deciding each kind's
  /// privileges in one batch. Objects of catalogs bound away from the caller's environment
  /// are not visible.
  func visibility(of objects: [CatalogObject], _ caller: Caller) async throws(RPCError) -> [Bool] {
    var result = [Bool](repeating: false, count: objects.count)
    let inEnvironment = objects.map { object in
      let bound = engine.environments(ofCatalog: object.catalogName)
      return bound.isEmpty || caller.environment.map(bound.contains) == true
    }
    for kind in ObjectKind.allCases {
      let indexes = objects.indices.filter { objects[$0].kind == kind && inEnvironment[$0] }
      guard !indexes.isEmpty else { continue }
      let names = indexes.map { objects[$0].fullName }
      let allowed = try await authenticator.allowed(
        caller.identity, anyOf: kind.visibilityPrivileges, on: kind.securableKind, names,
        deadline: caller.deadline)
      for (index, isAllowed) in zip(indexes, allowed) { result[index] = isAllowed }
    }
    return result
  }
}
