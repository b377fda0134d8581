import EdgecatCatalog
import EdgecatCore
import EdgecatProto
import EdgecatRPC
import EdgecatServiceKit

extension CatalogServer {
  var bindingMethods: [RPCMethod] {
    [
      .unary(Self.path("SetRowFilter")) {
        (request: Edgecat_Catalog_V1_SetRowFilterRequest, context) in
        let caller = try await caller(context)
        return try await auditedWrite(
          caller, "SetRowFilter", request.tableFullName,
          [("function", request.functionFullName)]
        ) { audit throws(RPCError) in
          let (table, details, function) = try await bindingTargets(
            request.tableFullName, request.functionFullName, caller)
          let columns = try boundColumns(request.inputColumns, of: details, table.fullName)
          guard function.parameters.count == columns.count else {
            throw RPCError(
              .invalidArgument,
              "function \(function.fullName) takes \(function.parameters.count) parameters but"
                + " the row filter passes \(columns.count) columns; pass one column per"
                + " parameter")
          }
          guard function.returnType.isEmpty || function.returnType == "BOOLEAN" else {
            throw RPCError(
              .invalidArgument,
              "function \(function.fullName) returns \(function.returnType); a row filter must"
                + " return BOOLEAN")
          }
          try checkParameterTypes(function, columns, details)
          var policyRequest = Edgecat_Policy_V1_SetRowFilterRequest()
          policyRequest.tableFullName = table.fullName
          policyRequest.functionFullName = function.fullName
          policyRequest.columns = columns
          let _: Edgecat_Policy_V1_SetRowFilterResponse = try await policy.call(
            "SetRowFilter", policyRequest, requestID: caller.requestID,
            deadline: caller.deadline, onBehalfOf: caller.principal,
            timeout: policy.writeTimeout)
          var filter = Edgecat_Catalog_V1_RowFilter()
          filter.functionFullName = function.fullName
          filter.inputColumns = columns
          var changed = details
          changed.rowFilter = filter
          return try await storeBinding(table, changed, caller, audit)
        }
      },
      .unary(Self.path("DropRowFilter")) {
        (request: Edgecat_Catalog_V1_DropRowFilterRequest, context) in
        let caller = try await caller(context)
        return try await auditedWrite(caller, "DropRowFilter", request.tableFullName) {
          audit throws(RPCError) in
          let table = try await visible(
            try name(request.tableFullName, .table, field: "table_full_name"), [.table], caller)
          var policyRequest = Edgecat_Policy_V1_DropRowFilterRequest()
          policyRequest.tableFullName = table.fullName
          let _: Edgecat_Policy_V1_DropRowFilterResponse = try await policy.call(
            "DropRowFilter", policyRequest, requestID: caller.requestID,
            deadline: caller.deadline, onBehalfOf: caller.principal,
            timeout: policy.writeTimeout)
          var details = try decoded(table, CatalogDetails.table)
          details.rowFilter = nil
          return try await storeBinding(table, details, caller, audit)
        }
      },
      .unary(Self.path("SetColumnMask")) {
        (request: Edgecat_Catalog_V1_SetColumnMaskRequest, context) in
        let caller = try await caller(context)
        return try await auditedWrite(
          caller, "SetColumnMask", request.tableFullName,
          [("column", request.column), ("function", request.functionFullName)]
        ) { audit throws(RPCError) in
          let (table, details, function) = try await bindingTargets(
            request.tableFullName, request.functionFullName, caller)
          let masked = try boundColumns([request.column], of: details, table.fullName)[0]
          let using = try boundColumns(request.usingColumns, of: details, table.fullName)
          try checkMaskSignature(function, column: masked, using: using, details)
          var policyRequest = Edgecat_Policy_V1_SetColumnMaskRequest()
          policyRequest.tableFullName = table.fullName
          policyRequest.column = masked
          policyRequest.functionFullName = function.fullName
          policyRequest.usingColumns = using
          let _: Edgecat_Policy_V1_SetColumnMaskResponse = try await policy.call(
            "SetColumnMask", policyRequest, requestID: caller.requestID,
            deadline: caller.deadline, onBehalfOf: caller.principal,
            timeout: policy.writeTimeout)
          var mask = Edgecat_Catalog_V1_ColumnMask()
          mask.functionFullName = function.fullName
          mask.usingColumns = using
          var changed = details
          changed.columnMasks[masked] = mask
          return try await storeBinding(table, changed, caller, audit)
        }
      },
      .unary(Self.path("DropColumnMask")) {
        (request: Edgecat_Catalog_V1_DropColumnMaskRequest, context) in
        let caller = try await caller(context)
        return try await auditedWrite(
          caller, "DropColumnMask", request.tableFullName, [("column", request.column)]
        ) { audit throws(RPCError) in
          let table = try await visible(
            try name(request.tableFullName, .table, field: "table_full_name"), [.table], caller)
          var details = try decoded(table, CatalogDetails.table)
          // UpdateTable rejects removing a masked column, so a name that is not a column of
          // the table cannot have a mask and is rejected like in SetColumnMask.
          let column = try boundColumns([request.column], of: details, table.fullName)[0]
          var policyRequest = Edgecat_Policy_V1_DropColumnMaskRequest()
          policyRequest.tableFullName = table.fullName
          policyRequest.column = column
          let _: Edgecat_Policy_V1_DropColumnMaskResponse = try await policy.call(
            "DropColumnMask", policyRequest, requestID: caller.requestID,
            deadline: caller.deadline, onBehalfOf: caller.principal,
            timeout: policy.writeTimeout)
          details.columnMasks[column] = nil
          return try await storeBinding(table, details, caller, audit)
        }
      },
    ]
  }

  private func bindingTargets(
    _ tableName: String, _ functionName: String, _ caller: Caller
  ) async throws(RPCError) -> (
    CatalogObject, Edgecat_Catalog_V1_TableInfo, Edgecat_Catalog_V1_FunctionInfo
  ) {
    // The table's visibility and EXECUTE on the function, which binding needs, come first, so
    // that the column and signature checks below tell a caller nothing it may not see.
    let table = try await visible(
      try name(tableName, .table, field: "table_full_name"), [.table], caller)
    let functionObject = try await existing(
      try name(functionName, .function, field: "function_full_name"), [.function], caller)
    try await authorize(caller, "EXECUTE", .function, functionObject.fullName)
    return (
      table, try decoded(table, CatalogDetails.table), try functionInfo(functionObject)
    )
  }

  /// Folds column names to lower case and checks that the table has each.
  private func boundColumns(
    _ names: [String], of details: Edgecat_Catalog_V1_TableInfo, _ table: String
  ) throws(RPCError) -> [String] {
    let known = details.columns.map(\.name)
    var result: [String] = []
    for name in names {
      let column = name.lowercased()
      guard known.contains(column) else {
        let list = known.isEmpty ? "none" : known.joined(separator: ", ")
        throw RPCError(
          .invalidArgument,
          "table \(table) has no column \"\(name)\"; its columns are \(list)")
      }
      result.append(column)
    }
    return result
  }

  /// A mask takes the column's value first, then the `using` columns, and its parameter and
  /// result types must have the column's SQLite affinity.
  private func checkMaskSignature(
    _ function: Edgecat_Catalog_V1_FunctionInfo, column: String, using: [String],
    _ details: Edgecat_Catalog_V1_TableInfo
  ) throws(RPCError) {
    guard function.parameters.count == 1 + using.count else {
      throw RPCError(
        .invalidArgument,
        "function \(function.fullName) takes \(function.parameters.count) parameters but the"
          + " mask passes \(1 + using.count) (the column \(column) and \(using.count) more);"
          + " pass one column per parameter")
    }
    let columnType = details.columns.first { $0.name == column }?.type ?? "STRING"
    let affinity = ColumnType.affinity(columnType)
    let parameterType = function.parameters[0].type
    guard ColumnType.affinity(parameterType) == affinity else {
      throw RPCError(
        .invalidArgument,
        "function \(function.fullName) takes \(parameterType) first but column \(column) is"
          + " \(columnType); declare the first parameter with the column's type")
    }
    guard function.returnType.isEmpty || ColumnType.affinity(function.returnType) == affinity
    else {
      throw RPCError(
        .invalidArgument,
        "function \(function.fullName) returns \(function.returnType) but column \(column) is"
          + " \(columnType); a mask must return the column's type")
    }
    try checkParameterTypes(function, [column] + using, details)
  }

  /// Checks that each parameter has the SQLite affinity of the column bound to it, in order.
  /// SQLite compares values of different affinities without an error, so a filter such as
  /// `n > 3` bound to a STRING column would pass every row instead of failing.
  private func checkParameterTypes(
    _ function: Edgecat_Catalog_V1_FunctionInfo, _ columns: [String],
    _ details: Edgecat_Catalog_V1_TableInfo
  ) throws(RPCError) {
    for (parameter, column) in zip(function.parameters, columns) {
      let columnType = details.columns.first { $0.name == column }?.type ?? "STRING"
      guard ColumnType.affinity(parameter.type) == ColumnType.affinity(columnType) else {
        throw RPCError(
          .invalidArgument,
          "parameter \(parameter.name) of function \(function.fullName) is \(parameter.type)"
            + " but column \(column) bound to it is \(columnType); declare each parameter with"
            + " the type of its column")
      }
    }
  }

  private func storeBinding(
    _ table: CatalogObject, _ details: Edgecat_Catalog_V1_TableInfo, _ caller: Caller,
    _ audit: AuditRecord
  ) async throws(RPCError) -> Edgecat_Catalog_V1_TableInfo {
    var changed = table
    changed.details = details.serializedBytes()
    changed.updatedAt = engine.clock()
    changed.updatedBy = caller.principal
    let stored = changed
    try await mappedAsync { () async throws(ServiceError) in
      try await engine.update(stored, audit: audit)
    }
    return try tableInfo(stored)
  }
}
