import EdgecatProto

/// Runs parsed statements as RPCs to the policy and catalog services, and SELECTs as queries
/// of the telemetry service.
struct SQLExecutor {
  let clients: ServiceClients

  /// The outcome of one statement: its JSON result and what people read.
  struct Outcome {
    var json: JSONValue
    /// A word such as "done", or a table for SHOW GRANTS.
    var text: String
  }

  func run(_ statement: SQLStatement) async throws -> Outcome {
    switch statement {
    case .createCatalog, .createSchema, .createTable, .createFunction, .createVolume:
      return try await create(statement)
    case .grant(let change):
      return try await updatePrivileges(change, method: "Grant")
    case .revoke(let change):
      return try await updatePrivileges(change, method: "Revoke")
    case .setRowFilter, .dropRowFilter, .setColumnMask, .dropColumnMask:
      return try await bind(statement)
    case .setOwner(let type, let name, let owner):
      return try await setOwner(type, name, owner)
    case .showGrants(let type, let name, let principal):
      let grants = try await GrantCommands.list(type, name, clients).filter {
        principal == nil || $0.principal == principal
      }
      if let principal, grants.isEmpty {
        // GetPrincipal fails with NOT_FOUND naming a misspelt principal, which would otherwise
        // read as one without grants.
        var request = Edgecat_Policy_V1_GetPrincipalRequest()
        request.name = principal
        let _: Edgecat_Policy_V1_Principal = try await clients.call(
          .policy, "GetPrincipal", request)
      }
      // One row per privilege, as SHOW GRANTS prints in Spark SQL.
      let rows = grants.flatMap { grant in grant.privileges.map { [grant.principal, $0] } }
      let table = TextTable(headers: ["PRINCIPAL", "PRIVILEGE"], rows: rows)
      return Outcome(
        json: .array(grants.map(PolicyJSON.grant)), text: "\n" + table.render(indent: "  "))
    case .query(let sql):
      var request = Edgecat_Telemetry_V1_QueryRequest()
      request.sql = sql
      let result = try await QueryResult.fetch(request, clients: clients)
      let note = result.truncated ? "  (the row cap cut the result)\n" : ""
      return Outcome(
        json: .array(result.objects), text: "\n" + result.table.render(indent: "  ") + note)
    case .drop(let type, let name, let ifExists, let cascade):
      do {
        return try await drop(type, name, cascade: cascade)
      } catch let error as CLIError where ifExists && error.statusCode == .notFound {
        return Outcome(json: .object([("dropped", .array([]))]), text: "nothing to drop")
      }
    }
  }

  private func updatePrivileges(_ change: SQLPrivilegeChange, method: String) async throws
    -> Outcome
  {
    var request = Edgecat_Policy_V1_UpdatePrivilegesRequest()
    request.principal = change.principal
    request.privileges = change.privileges
    request.securableType = change.type
    request.securableFullName = change.name
    let response: Edgecat_Policy_V1_UpdatePrivilegesResponse = try await clients.call(
      .policy, method, request)
    return Outcome(json: .object([("revision", .integer(response.revision))]), text: "done")
  }
}
