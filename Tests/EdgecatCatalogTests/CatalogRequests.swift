import EdgecatProto
import EdgecatRPC

/// Short constructors of the requests the tests send.
extension CatalogFixture {
  @discardableResult
  func createCatalog(
    _ name: String, token: String? = nil, environments: [String] = [], comment: String = "",
    ifNotExists: Bool = false
  ) async throws(RPCError) -> Edgecat_Catalog_V1_CatalogInfo {
    var request = Edgecat_Catalog_V1_CreateCatalogRequest()
    request.name = name
    request.environments = environments
    request.comment = comment
    request.ifNotExists = ifNotExists
    return try await call("CreateCatalog", request, token: token ?? adminToken)
  }

  @discardableResult
  func createSchema(
    _ catalog: String, _ name: String, token: String? = nil, comment: String = "",
    ifNotExists: Bool = false
  ) async throws(RPCError) -> Edgecat_Catalog_V1_SchemaInfo {
    var request = Edgecat_Catalog_V1_CreateSchemaRequest()
    request.catalogName = catalog
    request.name = name
    request.comment = comment
    request.ifNotExists = ifNotExists
    return try await call("CreateSchema", request, token: token ?? adminToken)
  }

  @discardableResult
  func createTable(
    _ catalog: String, _ schema: String, _ name: String,
    columns: [(String, String)] = [("id", "BIGINT")], token: String? = nil,
    comment: String = "", ifNotExists: Bool = false
  ) async throws(RPCError) -> Edgecat_Catalog_V1_TableInfo {
    var request = Edgecat_Catalog_V1_CreateTableRequest()
    request.catalogName = catalog
    request.schemaName = schema
    request.name = name
    request.comment = comment
    request.ifNotExists = ifNotExists
    request.columns = columns.map { name, type in
      var column = Edgecat_Catalog_V1_ColumnInfo()
      column.name = name
      column.type = type
      column.nullable = true
      return column
    }
    return try await call("CreateTable", request, token: token ?? adminToken)
  }

  @discardableResult
  func createFunction(
    _ catalog: String, _ schema: String, _ name: String, parameters: [(String, String)],
    returnType: String = "", body: String, token: String? = nil, ifNotExists: Bool = false
  ) async throws(RPCError) -> Edgecat_Catalog_V1_FunctionInfo {
    var request = Edgecat_Catalog_V1_CreateFunctionRequest()
    request.catalogName = catalog
    request.schemaName = schema
    request.name = name
    request.parameters = parameters.map { name, type in
      var parameter = Edgecat_Policy_V1_FunctionParameter()
      parameter.name = name
      parameter.type = type
      return parameter
    }
    request.returnType = returnType
    request.body = body
    request.ifNotExists = ifNotExists
    return try await call("CreateFunction", request, token: token ?? adminToken)
  }

  func getTable(_ fullName: String, token: String? = nil)
    async throws(RPCError) -> Edgecat_Catalog_V1_TableInfo
  {
    var request = Edgecat_Catalog_V1_GetTableRequest()
    request.fullName = fullName
    return try await call("GetTable", request, token: token ?? adminToken)
  }

  func deleteSchema(_ fullName: String, force: Bool, token: String? = nil)
    async throws(RPCError) -> Edgecat_Catalog_V1_DeleteResponse
  {
    var request = Edgecat_Catalog_V1_DeleteSchemaRequest()
    request.fullName = fullName
    request.force = force
    return try await call("DeleteSchema", request, token: token ?? adminToken)
  }

  @discardableResult
  func createVolume(
    _ catalog: String, _ schema: String, _ name: String, token: String? = nil,
    ifNotExists: Bool = false
  ) async throws(RPCError) -> Edgecat_Catalog_V1_VolumeInfo {
    var request = Edgecat_Catalog_V1_CreateVolumeRequest()
    request.catalogName = catalog
    request.schemaName = schema
    request.name = name
    request.ifNotExists = ifNotExists
    return try await call("CreateVolume", request, token: token ?? adminToken)
  }

  func getCatalog(_ name: String, token: String? = nil)
    async throws(RPCError) -> Edgecat_Catalog_V1_CatalogInfo
  {
    var request = Edgecat_Catalog_V1_GetCatalogRequest()
    request.name = name
    return try await call("GetCatalog", request, token: token ?? adminToken)
  }

  func getSchema(_ fullName: String, token: String? = nil)
    async throws(RPCError) -> Edgecat_Catalog_V1_SchemaInfo
  {
    var request = Edgecat_Catalog_V1_GetSchemaRequest()
    request.fullName = fullName
    return try await call("GetSchema", request, token: token ?? adminToken)
  }

  func getVolume(_ fullName: String, token: String? = nil)
    async throws(RPCError) -> Edgecat_Catalog_V1_VolumeInfo
  {
    var request = Edgecat_Catalog_V1_GetVolumeRequest()
    request.fullName = fullName
    return try await call("GetVolume", request, token: token ?? adminToken)
  }

  func getFunction(_ fullName: String, token: String? = nil)
    async throws(RPCError) -> Edgecat_Catalog_V1_FunctionInfo
  {
    var request = Edgecat_Catalog_V1_GetFunctionRequest()
    request.fullName = fullName
    return try await call("GetFunction", request, token: token ?? adminToken)
  }

  func listTables(
    _ schema: String, pageSize: Int32, pageToken: String = "", token: String? = nil
  ) async throws(RPCError) -> Edgecat_Catalog_V1_ListTablesResponse {
    var request = Edgecat_Catalog_V1_ListTablesRequest()
    request.schemaFullName = schema
    request.pageSize = pageSize
    request.pageToken = pageToken
    return try await call("ListTables", request, token: token ?? adminToken)
  }

  func listSchemas(
    _ catalog: String, pageSize: Int32, pageToken: String = "", token: String? = nil
  ) async throws(RPCError) -> Edgecat_Catalog_V1_ListSchemasResponse {
    var request = Edgecat_Catalog_V1_ListSchemasRequest()
    request.catalogName = catalog
    request.pageSize = pageSize
    request.pageToken = pageToken
    return try await call("ListSchemas", request, token: token ?? adminToken)
  }

  func deleteCatalog(_ name: String, force: Bool, token: String? = nil)
    async throws(RPCError) -> Edgecat_Catalog_V1_DeleteResponse
  {
    var request = Edgecat_Catalog_V1_DeleteCatalogRequest()
    request.name = name
    request.force = force
    return try await call("DeleteCatalog", request, token: token ?? adminToken)
  }

  @discardableResult
  func deleteTable(_ fullName: String, token: String? = nil)
    async throws(RPCError) -> Edgecat_Catalog_V1_DeleteResponse
  {
    var request = Edgecat_Catalog_V1_DeleteTableRequest()
    request.fullName = fullName
    return try await call("DeleteTable", request, token: token ?? adminToken)
  }

  @discardableResult
  func deleteFunction(_ fullName: String, token: String? = nil)
    async throws(RPCError) -> Edgecat_Catalog_V1_DeleteResponse
  {
    var request = Edgecat_Catalog_V1_DeleteFunctionRequest()
    request.fullName = fullName
    return try await call("DeleteFunction", request, token: token ?? adminToken)
  }

  /// Replaces the columns of a table.
  @discardableResult
  func updateColumns(_ fullName: String, _ columns: [(String, String)], token: String? = nil)
    async throws(RPCError) -> Edgecat_Catalog_V1_TableInfo
  {
    var request = Edgecat_Catalog_V1_UpdateTableRequest()
    request.fullName = fullName
    request.columns = columns.map { name, type in
      var column = Edgecat_Catalog_V1_ColumnInfo()
      column.name = name
      column.type = type
      column.nullable = true
      return column
    }
    request.updateMask = ["columns"]
    return try await call("UpdateTable", request, token: token ?? adminToken)
  }

  @discardableResult
  func setRowFilter(
    _ table: String, function: String, columns: [String], token: String? = nil
  ) async throws(RPCError) -> Edgecat_Catalog_V1_TableInfo {
    var request = Edgecat_Catalog_V1_SetRowFilterRequest()
    request.tableFullName = table
    request.functionFullName = function
    request.inputColumns = columns
    return try await call("SetRowFilter", request, token: token ?? adminToken)
  }

  @discardableResult
  func dropRowFilter(_ table: String, token: String? = nil)
    async throws(RPCError) -> Edgecat_Catalog_V1_TableInfo
  {
    var request = Edgecat_Catalog_V1_DropRowFilterRequest()
    request.tableFullName = table
    return try await call("DropRowFilter", request, token: token ?? adminToken)
  }

  @discardableResult
  func setColumnMask(
    _ table: String, column: String, function: String, using: [String] = [],
    token: String? = nil
  ) async throws(RPCError) -> Edgecat_Catalog_V1_TableInfo {
    var request = Edgecat_Catalog_V1_SetColumnMaskRequest()
    request.tableFullName = table
    request.column = column
    request.functionFullName = function
    request.usingColumns = using
    return try await call("SetColumnMask", request, token: token ?? adminToken)
  }

  @discardableResult
  func dropColumnMask(_ table: String, column: String, token: String? = nil)
    async throws(RPCError) -> Edgecat_Catalog_V1_TableInfo
  {
    var request = Edgecat_Catalog_V1_DropColumnMaskRequest()
    request.tableFullName = table
    request.column = column
    return try await call("DropColumnMask", request, token: token ?? adminToken)
  }

  /// Returns the policy service's data-access decision for `principal` on a table, asked as
  /// the admin.
  func resolveTableAccess(_ table: String, principal: String = CatalogFixture.admin)
    async throws(RPCError) -> Edgecat_Policy_V1_ResolveTableAccessResponse
  {
    var request = Edgecat_Policy_V1_ResolveTableAccessRequest()
    request.principal = principal
    request.tableFullName = table
    return try await policy("ResolveTableAccess", request, token: adminToken)
  }

  func securable(_ fullName: String) -> Bool {
    (try? policyEngine.securable(named: fullName)) != nil
  }
}
