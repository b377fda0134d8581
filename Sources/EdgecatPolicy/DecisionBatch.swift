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
/// Integers are unsigned LEB128, a delta is `LEB128.appendDelta`'s zigzag varint of a wrapping
/// difference, and text is its UTF-8 length then its bytes:
/// - the format, one byte: 2;
/// - the kind count, then each kind: id prefix, principal, privilege, securable, reason and
///   caller as text, allowed as one byte (0 or 1), revision;
/// - the count of request id prefixes, then each as text;
/// - the row count, then each row, whose fields follow.
///   - The time, as the delta of its IEEE 754 bit pattern from the previous row's (from 0 for
///     the first row).
///   - The kind index times 4, plus 1 when the id has a serial number and 2 when the request
///     id is numbered.
///   - When present, the serial number as a delta from the previous one in the batch (from 0).
///   - For a numbered request id, its prefix index and its number as a delta from the previous
///     number with that prefix (from 0). Otherwise the request id as text.
///
/// A request id is numbered when it ends in 16 lower-case hex digits, as the ids that servers
/// generate do (a per-process prefix and a sequence number). The prefix is stored once and a
/// row contains a step of the sequence. Repeated checks at a steady rate cost about six bytes a
/// row. Format 1, which stored each row's time as 8 bytes, its serial number plus 1 (0 for
/// none) and its request id as text, is still read.
enum DecisionBatch {
  static let format: UInt8 = 2

  /// Decisions written to one `decision_batches` row at most, so that listing one page decodes
  /// a bounded amount.
  static let maximumRows = 1024

  /// Distinct request id prefixes one batch numbers at most; request ids with other prefixes,
  /// such as random ids that callers send, are stored as text.
  static let maximumRequestIDPrefixes = 16

  /// The flags added to a row's kind index times 4.
  static let hasSerial: UInt64 = 1
  static let isNumbered: UInt64 = 2

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
  private var numbering = RequestIDNumbering()
  private var previousTimeBits: UInt64 = 0
  private var previousSerial: UInt64 = 0
  private var rowBytes: [UInt8] = []
  private(set) var count = 0
  private(set) var firstTime = 0.0
  private(set) var lastTime = 0.0

  init(rowCapacity: Int) {
    rowBytes.reserveCapacity(rowCapacity * 8)
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
    LEB128.append(UInt64(numbering.prefixes.count), to: &bytes)
    for prefix in numbering.prefixes { LEB128.append(prefix, to: &bytes) }
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
    LEB128.appendDelta(time.bitPattern, from: previousTimeBits, to: &rowBytes)
    previousTimeBits = time.bitPattern
    let numbered = numbering.number(requestID)
    var kindAndFlags = UInt64(kind) << 2
    if serial != nil { kindAndFlags |= DecisionBatch.hasSerial }
    if numbered != nil { kindAndFlags |= DecisionBatch.isNumbered }
    LEB128.append(kindAndFlags, to: &rowBytes)
    if let serial {
      LEB128.appendDelta(serial, from: previousSerial, to: &rowBytes)
      previousSerial = serial
    }
    if let numbered {
      LEB128.append(UInt64(numbered.prefix), to: &rowBytes)
      LEB128.appendDelta(numbered.number, from: numbered.previous, to: &rowBytes)
    } else {
      LEB128.append(requestID, to: &rowBytes)
    }
  }
}
