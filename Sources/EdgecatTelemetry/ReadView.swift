/// One reader's access to a hosted table, as the policy service's data-access decision
/// returns it: a row filter and one mask per masked column, each an SQL expression over the
/// table's column names. Both may call the identity functions (`current_user()` and the
/// others), which the query engine binds to a `QueryIdentity`.
public struct TableAccess: Sendable, Equatable {
  /// The expression a row must make true to be seen; nil when every row is seen.
  public var rowFilter: String?
  /// Column name to the expression whose result replaces the column's value.
  public var masks: [String: String]

  public init(rowFilter: String? = nil, masks: [String: String] = [:]) {
    self.rowFilter = rowFilter
    self.masks = masks
  }

  /// Whether the reader sees every row unmasked, so that rollups may serve it.
  public var isUnrestricted: Bool { rowFilter == nil && masks.isEmpty }
}

/// The principal that filters and masks are evaluated for: its name, every group it belongs
/// to (transitively, `account users` included) and its attributes, such as `region`.
public struct QueryIdentity: Sendable, Equatable {
  public var principal: String
  public var groups: Set<String>
  public var attributes: [String: String]

  public init(principal: String, groups: Set<String>, attributes: [String: String]) {
    self.principal = principal
    self.groups = groups
    self.attributes = attributes
  }
}

/// A table that the telemetry service hosts: its three-part name in the catalog, the SQLite
/// table behind it and the columns a reader gets, in order.
public struct HostedTable: Sendable, Equatable {
  public var fullName: String
  public var rawTable: String
  public var columns: [String]

  public init(fullName: String, rawTable: String, columns: [String]) {
    self.fullName = fullName
    self.rawTable = rawTable
    self.columns = columns
  }
}

/// The page size, row cap and run-time cap of one query.
public struct QueryLimits: Sendable, Equatable {
  /// Rows per page sent to the caller.
  public var pageSize: Int
  /// Rows returned at most; the result is marked truncated past it.
  public var maxRows: Int64
  /// Run time at most, in milliseconds; past it the query ends with DEADLINE_EXCEEDED.
  public var timeoutMilliseconds: Int64

  public init(pageSize: Int, maxRows: Int64, timeoutMilliseconds: Int64) {
    self.pageSize = pageSize
    self.maxRows = maxRows
    self.timeoutMilliseconds = timeoutMilliseconds
  }
}

/// Optional narrowing of a metrics request to one device, one model or one model version.
public struct MetricsFilter: Sendable, Equatable {
  public var deviceID: String?
  /// The model as "catalog.schema.model", in lower case.
  public var modelName: String?
  public var modelVersion: Int64?

  public init(deviceID: String? = nil, modelName: String? = nil, modelVersion: Int64? = nil) {
    self.deviceID = deviceID
    self.modelName = modelName
    self.modelVersion = modelVersion
  }
}
