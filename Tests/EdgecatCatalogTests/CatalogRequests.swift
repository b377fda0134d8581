import EdgecatProto
import EdgecatRPC

/// Short constructors of the requests the tests send.
extension CatalogFixture {
  @discardableResult
  func createCatalog(_ name: String, token: String? = nil, environments: [String] = [])
    async throws(RPCError) -> Edgecat_Catalog_V1_CatalogInfo
  {
    var request = Edgecat_Catalog_V1_CreateCatalogRequest()
    request.name = name
    request.environments = environments
    return try await call("CreateCatalog", request, token: token ?? adminToken)
  }

  @discardableResult
  func createSchema(_ catalog: String, _ name: String, token: String? = nil)
    async throws(RPCError) -> Edgecat_Catalog_V1_SchemaInfo
  {
    var request = Edgecat_Catalog_V1_CreateSchemaRequest()
    request.catalogName = catalog
    request.name = name
    return try await call("CreateSchema", request, token: token ?? adminToken)
  }

  @discardableResult
  func createTable(
    _ catalog: String, _ schema: String, _ name: String,
    columns: [(String, String)] = [("id", "BIGINT")], token: String? = nil
  ) async throws(RPCError) -> Edgecat_Catalog_V1_TableInfo {
    var request = Edgecat_Catalog_V1_CreateTableRequest()
    request.catalogName = catalog
    request.schemaName = schema
    request.name = name
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
    returnType: String = "", body: String, token: String? = nil
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

  func securable(_ fullName: String) -> Bool {
    (try? policyEngine.securable(named: fullName)) != nil
  }
}
