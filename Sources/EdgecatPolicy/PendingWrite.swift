import EdgecatStore

/// The SQL statements and change records one write collects while it changes a model copy.
struct PendingWrite: Sendable {
  struct Statement: Sendable {
    let sql: String
    let values: [SQLValue]
  }

  private(set) var statements: [Statement] = []
  private(set) var changes: [(kind: ChangeKind, principal: String?, securable: String?)] = []

  mutating func execute(_ sql: String, _ values: SQLValue...) {
    statements.append(Statement(sql: sql, values: values))
  }

  mutating func record(_ kind: ChangeKind, principal: String? = nil, securable: String? = nil) {
    changes.append((kind, principal, securable))
  }

  /// True when the write changed something, so it takes a new revision.
  var isChange: Bool { !changes.isEmpty }

  func records(revision: UInt64) -> [ChangeRecord] {
    changes.map {
      ChangeRecord(
        revision: revision, kind: $0.kind, principal: $0.principal, securable: $0.securable)
    }
  }
}

/// One audit event: a mutation, who asked for it, and how it ended.
public struct AuditEvent: Sendable, Hashable {
  public let id: String
  /// Seconds since the Unix epoch.
  public let time: Double
  public let action: String
  /// The principal that made the request.
  public let principal: String
  public let securable: String?
  /// The request's parameters as a JSON object of strings; secrets never appear.
  public let parameters: String
  /// `OK`, `OK_NO_CHANGE`, or the error code.
  public let result: String
  public let requestID: String
  /// The revision after the mutation.
  public let revision: UInt64
  /// HOST:PORT of the caller; empty for calls made in process.
  public var peer: String = ""
}
