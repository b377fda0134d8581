/// The filters and page of an audit event listing.
public struct AuditEventFilter: Sendable, Hashable {
  /// The inclusive lower bound on the event time, in seconds since the Unix epoch.
  public var startTime: Double?
  /// The exclusive upper bound on the event time, in seconds since the Unix epoch.
  public var endTime: Double?
  /// The principal that made the request.
  public var principal: String?
  public var action: String?
  /// The full name of the securable acted on; `init` folds a valid securable name to lower case.
  public var securable: String?
  /// 0 means 100; a size above 1000 is clamped to 1000; negative is INVALID_ARGUMENT.
  public var pageSize: Int
  /// The `nextPageToken` of the previous page, or empty for the first page.
  public var pageToken: String

  public init(
    startTime: Double? = nil, endTime: Double? = nil, principal: String? = nil,
    action: String? = nil, securable: String? = nil, pageSize: Int = 0, pageToken: String = ""
  ) {
    self.startTime = startTime
    self.endTime = endTime
    self.principal = principal
    self.action = action
    self.securable = securable.map(Self.normalizedSecurable)
    self.pageSize = pageSize
    self.pageToken = pageToken
  }

  /// Returns a valid securable name folded to lower case, as catalogs, schemas and objects are
  /// stored, and any other text, such as a `device:` lineage node, unchanged. Audit events
  /// store and filter the securable through this, so that each spelling of a name finds them.
  /// NOTE: events that older versions stored keep the spelling of their request, so only that
  /// spelling in lower case finds them.
  public static func normalizedSecurable(_ text: String) -> String {
    (try? SecurableName(text))?.fullName ?? text
  }
}
