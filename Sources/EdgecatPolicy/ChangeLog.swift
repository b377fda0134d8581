/// The kind of change a write made.
public enum ChangeKind: String, Sendable, Hashable, CaseIterable {
  case principalCreated = "PRINCIPAL_CREATED"
  case principalDeleted = "PRINCIPAL_DELETED"
  case membershipChanged = "MEMBERSHIP_CHANGED"
  case attributeChanged = "ATTRIBUTE_CHANGED"
  case tokenCreated = "TOKEN_CREATED"
  case tokenRevoked = "TOKEN_REVOKED"
  case securableRegistered = "SECURABLE_REGISTERED"
  case securableDropped = "SECURABLE_DROPPED"
  case ownershipTransferred = "OWNERSHIP_TRANSFERRED"
  case grantsChanged = "GRANTS_CHANGED"
  case rowFilterChanged = "ROW_FILTER_CHANGED"
  case columnMaskChanged = "COLUMN_MASK_CHANGED"
}

/// One change made by the write that produced `revision`. A write may yield several records.
public struct ChangeRecord: Sendable, Hashable {
  public let revision: UInt64
  public let kind: ChangeKind
  /// The principal affected, such as the member added or the grantee; nil when none.
  public let principal: String?
  /// The full name of the securable affected; nil when none, empty for the metastore.
  public let securable: String?

  public init(revision: UInt64, kind: ChangeKind, principal: String?, securable: String?) {
    self.revision = revision
    self.kind = kind
    self.principal = principal
    self.securable = securable
  }
}

/// The change records of the last `capacity` revisions, oldest first.
struct ChangeLog: Sendable {
  let capacity: Int
  private(set) var records: [ChangeRecord] = []
  private(set) var revision: UInt64

  init(capacity: Int, revision: UInt64, records: [ChangeRecord]) {
    self.capacity = max(1, capacity)
    self.revision = revision
    self.records = records
  }

  /// The oldest revision R for which `changes(since: R)` still has every later record.
  var oldestAnswerable: UInt64 { revision > UInt64(capacity) ? revision - UInt64(capacity) : 0 }

  /// Appends the records of a new `revision` and drops those that fell out of the window.
  mutating func append(_ newRecords: [ChangeRecord], revision: UInt64) {
    self.revision = revision
    records.append(contentsOf: newRecords)
    let oldest = oldestAnswerable
    let keepFrom = records.firstIndex { $0.revision > oldest } ?? records.count
    if keepFrom > 0 { records.removeFirst(keepFrom) }
  }

  /// Returns the records after revision `since`, or throws OUT_OF_RANGE when some of them are
  /// no longer kept or `since` is newer than the current revision.
  func changes(since: UInt64) throws(PolicyError) -> [ChangeRecord] {
    guard since <= revision else {
      throw PolicyError(
        code: .outOfRange,
        message: "revision \(since) is newer than the current revision \(revision); pass a"
          + " revision this service returned")
    }
    guard since >= oldestAnswerable else {
      throw PolicyError(
        code: .outOfRange,
        message: "changes after revision \(since) are no longer kept; the oldest revision to"
          + " ask from is \(oldestAnswerable), so reload the full state and watch from there")
    }
    guard let start = records.firstIndex(where: { $0.revision > since }) else { return [] }
    return Array(records[start...])
  }
}
