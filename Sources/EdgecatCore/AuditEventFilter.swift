/// The filters and page of an audit event listing.
public struct AuditEventFilter: Sendable, Hashable {
  /// The inclusive lower bound on the event time, in seconds since the Unix epoch.
  public var startTime: Double?
  /// The exclusive upper bound on the event time, in seconds since the Unix epoch.
  public var endTime: Double?
  /// The principal that made the request.
  public var principal: String?
  public var action: String?
  /// The full name of the securable acted on.
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
    self.securable = securable
    self.pageSize = pageSize
    self.pageToken = pageToken
  }
}
