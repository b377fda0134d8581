extension ExpressionCheck {
  /// The SQLite 3.40 built-in functions that checked expressions may call: scalar functions
  /// whose result depends only on their arguments, plus the date and time functions, which also
  /// read the clock for 'now'. `min` and `max` are here for their scalar form with two or more
  /// arguments; SQLite rejects their one-argument aggregate form in a WHERE clause.
  ///
  /// Left out on purpose are `random` and `randomblob`, because a filter or mask must give the
  /// same result for the same row and user, and `randomblob(n)` and `zeroblob(n)` allocate n
  /// bytes. `load_extension` loads native code. `changes`, `last_insert_rowid`,
  /// `total_changes` and the `sqlite_*` functions expose the connection and the build.
  /// Aggregate and window functions see more than one row.
  /// The math functions need a SQLite built with SQLITE_ENABLE_MATH_FUNCTIONS, as Debian's is.
  ///
  /// NOTE: `printf('%*d', n, 1)`, `replace` and `hex` can build strings up to
  /// SQLITE_LIMIT_LENGTH, which is 1,000,000,000 bytes in Debian's build (MAX_LENGTH in
  /// `PRAGMA compile_options`). The connection that runs the expressions should lower it with
  /// `sqlite3_limit`, which nothing in this module does.
  public static let allowedFunctions: Set<String> = [
    // Core scalar functions.
    "abs", "char", "coalesce", "format", "glob", "hex", "ifnull", "iif", "instr", "length",
    "like", "lower", "ltrim", "max", "min", "nullif", "printf", "quote", "replace", "round",
    "rtrim", "sign", "substr", "substring", "trim", "typeof", "unicode", "upper",
    // Date and time functions, including the CURRENT_DATE, CURRENT_TIME and CURRENT_TIMESTAMP
    // keywords, which SQLite runs as functions of those names.
    "date", "time", "datetime", "julianday", "strftime", "unixepoch", "current_date",
    "current_time", "current_timestamp",
    // Math functions.
    "acos", "acosh", "asin", "asinh", "atan", "atan2", "atanh", "ceil", "ceiling", "cos", "cosh",
    "degrees", "exp", "floor", "ln", "log", "log10", "log2", "mod", "pi", "pow", "power",
    "radians", "sin", "sinh", "sqrt", "tan", "tanh", "trunc",
  ]

  /// SQLite 3.40's built-in aggregate and window functions, named in messages when an
  /// expression calls one.
  static let aggregateFunctions: Set<String> = [
    "avg", "count", "group_concat", "sum", "total", "json_group_array", "json_group_object",
    "row_number", "rank", "dense_rank", "percent_rank", "cume_dist", "ntile", "lag", "lead",
    "first_value", "last_value", "nth_value",
  ]
}
