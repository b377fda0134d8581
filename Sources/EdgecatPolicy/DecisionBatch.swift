import EdgecatCore

/// The fields that logged decisions of one batch can share: all but the time, the serial number
/// and the request id.
struct DecisionKind: Sendable, Hashable {
  var idPrefix: String
  var principal: String
  var privilege: String
  var securable: String
  var allowed: Bool
  var reason: String
  var caller: String
  var revision: UInt64
}

/// One decision of a stored batch, its shared fields in the batch's kind `kind`.
struct DecisionBatchRow: Sendable {
  var time: Double
  var kind: Int
  /// The number after the id prefix; nil when the id is the prefix alone.
  var serial: UInt64?
  var requestID: String
}

/// The body of one `decision_batches` row: the decisions of one flush, oldest first.
///
/// Integers are unsigned LEB128 and text is its UTF-8 length then its bytes:
/// - the format, one byte: 1;
/// - the kind count, then each kind: id prefix, principal, privilege, securable, reason and
///   caller as text, allowed as one byte (0 or 1), revision;
/// - the row count, then each row. A row starts with the time, the 8 bytes of its IEEE 754 bit
///   pattern in little-endian order. The kind index, the serial number plus 1 (0 when the id
///   is the prefix alone) and the request id as text follow.
///
/// A flush of repeated checks stores each principal, securable and reason once, so a row costs
/// a few dozen bytes and no index entry.
enum DecisionBatch {
  static let format: UInt8 = 1

  /// Decisions written to one `decision_batches` row at most, so that listing one page decodes
  /// a bounded amount.
  static let maximumRows = 1024

  /// The `field` of `decision_batch_names`, which lists the principals and securables of each
  /// batch for the listing filters.
  enum NameField: Int64 {
    case principal = 1
    case securable = 2
  }
}

/// Builds one batch body from decisions appended in time order.
struct DecisionBatchWriter {
  /// Identifies a queued decision's kind without building its reason: at one revision a
  /// decision is a function of the principal, the privilege, the securable and whether it is
  /// about management, so two decisions with equal keys have equal reasons.
  private struct QueuedKey: Hashable {
    let idPrefix: String
    let principal: String
    let privilege: Privilege
    let securable: String
    let securableType: SecurableType
    let isManagement: Bool
    let revision: UInt64
    let caller: String
  }

  private var queuedKinds: [QueuedKey: Int] = [:]
  private var lastEntry: QueuedDecision?
  private var lastKind = 0
  private var storedKinds: [DecisionKind: Int] = [:]
  private(set) var kinds: [DecisionKind] = []
  private var rowBytes: [UInt8] = []
  private(set) var count = 0
  private(set) var firstTime = 0.0
  private(set) var lastTime = 0.0

  init(rowCapacity: Int) {
    rowBytes.reserveCapacity(rowCapacity * 40)
  }

  /// Appends a decision from the queue, building its reason only for a kind not seen before.
  mutating func append(_ entry: QueuedDecision) {
    // A run of one kind, as a caller that checks one request often sends, skips hashing: the
    // comparison of strings that share storage reads no bytes.
    if let last = lastEntry,
      last.logged === entry.logged || Self.sameKind(last.logged, entry.logged)
    {
      appendRow(entry, kind: lastKind)
      return
    }
    let logged = entry.logged
    let decision = logged.decision
    let key = QueuedKey(
      idPrefix: decision.idPrefix, principal: decision.principal, privilege: decision.privilege,
      securable: decision.securable, securableType: decision.securableType,
      isManagement: decision.isManagement, revision: decision.revision, caller: logged.caller)
    let kind: Int
    if let known = queuedKinds[key] {
      kind = known
    } else {
      kind = index(
        of: DecisionKind(
          idPrefix: decision.idPrefix, principal: decision.principal,
          privilege: decision.privilege.rawValue, securable: decision.securable,
          allowed: decision.allowed, reason: logged.reason ?? decision.reason,
          caller: logged.caller, revision: decision.revision))
      queuedKinds[key] = kind
    }
    lastEntry = entry
    lastKind = kind
    appendRow(entry, kind: kind)
  }

  /// Returns whether two queued decisions have equal `QueuedKey`s, without building them.
  private static func sameKind(_ left: LoggableDecision, _ right: LoggableDecision) -> Bool {
    let one = left.decision
    let other = right.decision
    return one.revision == other.revision && one.privilege == other.privilege
      && one.isManagement == other.isManagement && one.securableType == other.securableType
      && one.principal == other.principal && one.securable == other.securable
      && left.caller == right.caller && one.idPrefix == other.idPrefix
  }

  /// Appends a decision read back from a batch or from rows of another layout.
  mutating func append(
    _ kind: DecisionKind, time: Double, serial: UInt64?, requestID: String
  ) {
    appendRow(time: time, kind: index(of: kind), serial: serial, requestID: requestID)
  }

  /// Returns the encoded body of everything appended.
  func body() -> [UInt8] {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(rowBytes.count + kinds.count * 160 + 16)
    bytes.append(DecisionBatch.format)
    LEB128.append(UInt64(kinds.count), to: &bytes)
    for kind in kinds {
      for text in [
        kind.idPrefix, kind.principal, kind.privilege, kind.securable, kind.reason, kind.caller,
      ] {
        LEB128.append(text, to: &bytes)
      }
      bytes.append(kind.allowed ? 1 : 0)
      LEB128.append(kind.revision, to: &bytes)
    }
    LEB128.append(UInt64(count), to: &bytes)
    bytes.append(contentsOf: rowBytes)
    return bytes
  }

  private mutating func index(of kind: DecisionKind) -> Int {
    if let known = storedKinds[kind] { return known }
    kinds.append(kind)
    storedKinds[kind] = kinds.count - 1
    return kinds.count - 1
  }

  private mutating func appendRow(_ entry: QueuedDecision, kind: Int) {
    appendRow(
      time: entry.time, kind: kind, serial: entry.serial, requestID: entry.requestID)
  }

  private mutating func appendRow(time: Double, kind: Int, serial: UInt64?, requestID: String) {
    if count == 0 { firstTime = time }
    lastTime = time
    count += 1
    withUnsafeBytes(of: time.bitPattern.littleEndian) { rowBytes.append(contentsOf: $0) }
    LEB128.append(UInt64(kind), to: &rowBytes)
    LEB128.append(serial.map { $0 &+ 1 } ?? 0, to: &rowBytes)
    LEB128.append(requestID, to: &rowBytes)
  }
}
