import EdgecatCore
import EdgecatStore

/// The SQL functions a query may call, and the engine's own that each query connection
/// registers: the identity functions bound to the query's caller, `percentile`, `stddev` and
/// the `stddev_from_moments` that day figure projections call.
enum QueryFunctions {
  /// SQLite 3.40's aggregate and window functions, which queries may use.
  static let aggregates: Set<String> = [
    "avg", "count", "group_concat", "max", "min", "sum", "total", "row_number", "rank",
    "dense_rank", "percent_rank", "cume_dist", "ntile", "lag", "lead", "first_value",
    "last_value", "nth_value",
  ]

  /// The engine's functions, in lower case as registered.
  static let engine: Set<String> = [
    "current_user", "is_account_group_member", "current_user_attribute", "current_user_region",
    "percentile", "stddev", "stddev_samp", "stddev_pop", "stddev_from_moments",
    "stddev_pop_from_moments",
  ]

  /// Every function a query may call: the scalar functions that row filters and masks may
  /// call (`ExpressionCheck.allowedFunctions`), the planner hints, the aggregates and the
  /// engine's own. Left out are `load_extension`, the functions that expose the connection
  /// (`changes`, `sqlite_*`) and those that allocate at will (`randomblob`, `zeroblob`).
  static let allowed: Set<String> = ExpressionCheck.allowedFunctions
    .union(["likely", "unlikely", "likelihood", "iif", "nullif", "random"])
    .union(aggregates).union(engine)

  /// Registers the engine's functions on `database`. The identity functions read the caller
  /// from `state`, and return NULL (false for group membership) while no query runs.
  static func install(on database: Database, state: QueryConnectionState) throws {
    try database.createFunction(name: "current_user", argumentCount: 0, deterministic: false) {
      _ in SQLValue(state.identity?.principal)
    }
    try database.createFunction(
      name: "is_account_group_member", argumentCount: 1, deterministic: false
    ) { arguments in
      guard let group = arguments[0].string else { return arguments[0].isNull ? .null : false }
      return SQLValue(state.identity?.groups.contains(group) ?? false)
    }
    try database.createFunction(
      name: "current_user_attribute", argumentCount: 1, deterministic: false
    ) { arguments in
      guard let key = arguments[0].string else { return .null }
      return SQLValue(state.identity?.attributes[key])
    }
    try database.createFunction(
      name: "current_user_region", argumentCount: 0, deterministic: false
    ) { _ in SQLValue(state.identity?.attributes["region"]) }

    try database.createAggregateFunction(name: "percentile", argumentCount: 2) {
      PercentileState()
    }
    for name in ["stddev", "stddev_samp"] {
      try database.createAggregateFunction(name: name, argumentCount: 1) {
        StandardDeviationState(name: name, sample: true)
      }
    }
    try database.createAggregateFunction(name: "stddev_pop", argumentCount: 1) {
      StandardDeviationState(name: "stddev_pop", sample: false)
    }
    for (name, sample) in [("stddev_from_moments", true), ("stddev_pop_from_moments", false)] {
      try database.createAggregateFunction(name: name, argumentCount: 3) {
        MomentsStandardDeviationState(name: name, sample: sample)
      }
    }
  }
}
