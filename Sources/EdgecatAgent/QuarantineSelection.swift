import EdgecatCore

/// The quarantined entries a resend or discard applies to: all of them, or the records and
/// labels named by seq and id.
public struct QuarantineSelection: Sendable, Hashable {
  public var all: Bool
  public var seqs: [UInt64]
  public var labelIDs: [Int64]

  /// The maximum number of seqs and label ids in one selection.
  public static let maximumEntries = 10_000

  public static let everything = QuarantineSelection(all: true)

  public init(all: Bool = false, seqs: [UInt64] = [], labelIDs: [Int64] = []) {
    self.all = all
    self.seqs = seqs
    self.labelIDs = labelIDs
  }

  /// Throws INVALID_ARGUMENT unless the selection is `all` alone or names 1 to
  /// `maximumEntries` distinct entries with seqs and ids in range. A repeated seq or id names
  /// one entry, so it counts once.
  public func validate() throws(ServiceError) {
    let named = seqs.count + labelIDs.count
    if all && named > 0 {
      throw .invalidArgument(
        "all is set together with \(seqs.count) seqs and \(labelIDs.count) label_ids; set"
          + " all alone, or name the entries without it")
    }
    if !all && named == 0 {
      throw .invalidArgument(
        "the request names no entries; set all, or list the seqs and label_ids that"
          + " ListQuarantined returned")
    }
    if named > Self.maximumEntries {
      let distinct = Set(seqs).count + Set(labelIDs).count
      guard distinct <= Self.maximumEntries else {
        throw .invalidArgument(
          "the request names \(distinct) distinct entries; name at most"
            + " \(Self.maximumEntries) per call, or set all")
      }
    }
    if let index = seqs.firstIndex(where: { $0 == 0 || $0 > UInt64(Int64.max) }) {
      throw .invalidArgument(
        "seqs[\(index)] \(seqs[index]) is out of range; use a seq ListQuarantined returned,"
          + " from 1 to \(Int64.max)")
    }
    if let index = labelIDs.firstIndex(where: { $0 <= 0 }) {
      throw .invalidArgument(
        "label_ids[\(index)] \(labelIDs[index]) is out of range; use a label id"
          + " ListQuarantined returned, from 1 to \(Int64.max)")
    }
  }

  /// The seqs as a JSON array for SQLite's `json_each`.
  var seqsJSON: String { "[" + seqs.map { String($0) }.joined(separator: ",") + "]" }

  /// The label ids as a JSON array for SQLite's `json_each`.
  var labelIDsJSON: String { "[" + labelIDs.map { String($0) }.joined(separator: ",") + "]" }
}

/// Records and labels that a resend or discard moved or deleted, and the bytes they count
/// against the spool's cap.
public struct QuarantineChange: Sendable, Equatable {
  public var records: Int64
  public var labels: Int64
  public var bytes: Int64

  public init(records: Int64, labels: Int64, bytes: Int64) {
    self.records = records
    self.labels = labels
    self.bytes = bytes
  }
}

/// Thrown inside a quarantine transaction to roll it back when named entries are not in
/// quarantine.
struct QuarantineMissing: Error {
  let seqs: [UInt64]
  let labelIDs: [Int64]

  /// The maximum number of seqs or ids a NOT_FOUND message lists.
  static let listedLimit = 20

  var serviceError: ServiceError {
    var parts: [String] = []
    if !seqs.isEmpty { parts.append("no quarantined record has seq " + Self.list(seqs)) }
    if !labelIDs.isEmpty { parts.append("no quarantined label has id " + Self.list(labelIDs)) }
    return .notFound(
      parts.joined(separator: " and ")
        + "; nothing was changed, so call ListQuarantined and name only entries it returns")
  }

  private static func list<Value: BinaryInteger>(_ values: [Value]) -> String {
    let listed = values.prefix(listedLimit).map { "\($0)" }.joined(separator: ", ")
    let rest = values.count - min(values.count, listedLimit)
    return rest > 0 ? "\(listed) and \(rest) more" : listed
  }
}
