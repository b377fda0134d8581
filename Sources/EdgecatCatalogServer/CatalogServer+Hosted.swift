import EdgecatCatalog
import EdgecatCore
import EdgecatProto
import EdgecatRPC
import EdgecatServiceKit

extension CatalogServer {
  var hostedMethods: [RPCMethod] {
    [
      .unary(Self.path("RegisterHostedObject")) {
        (request: Edgecat_Catalog_V1_RegisterHostedObjectRequest, context) in
        let caller = try await caller(context)
        let fullName = [request.catalogName, request.schemaName, request.name].joined(
          separator: ".")
        return try await auditedWrite(
          caller, "RegisterHostedObject", fullName, [("type", "\(request.type)")]
        ) { audit throws(RPCError) in
          try requireService(caller, to: "register hosted objects")
          let kind = try hostedKind(request.type)
          let name = try name(parts: [request.catalogName, request.schemaName, request.name], kind)
          try validateComment(request.comment)
          try validateProperties(request.properties)
          let host = hostName(caller)
          let columns = try columns(request.columns, table: name.fullName)
          if request.adoptExisting, kind == .table,
            let adopted = try await adopt(name, columns: columns, host: host, caller, audit)
          {
            return try hostedInfo(adopted)
          }
          let details: [UInt8]
          if kind == .table {
            var table = Edgecat_Catalog_V1_TableInfo()
            table.tableType = .managed
            table.dataSourceFormat = "DELTA"
            table.columns = columns
            table.comment = request.comment
            table.properties = request.properties
            details = table.serializedBytes()
          } else {
            var hosted = Edgecat_Catalog_V1_HostedObjectInfo()
            hosted.comment = request.comment
            hosted.properties = request.properties
            details = hosted.serializedBytes()
          }
          let object = try await create(
            newObject(kind, name, caller, details: details, hostedBy: host), caller,
            ifNotExists: false, audit: audit)
          return try hostedInfo(object)
        }
      },
      .unary(Self.path("GetHostedObject")) {
        (request: Edgecat_Catalog_V1_GetHostedObjectRequest, context) in
        let caller = try await caller(context)
        return try await auditedRead(caller, "GetHostedObject", request.fullName) {
          () throws(RPCError) in
          let kind = try hostedKind(request.type)
          return try hostedInfo(
            try await visible(try name(request.fullName, kind, field: "full_name"), [kind], caller))
        }
      },
      .unary(Self.path("ListHostedObjects")) {
        (request: Edgecat_Catalog_V1_ListHostedObjectsRequest, context) in
        let caller = try await caller(context)
        return try await auditedRead(caller, "ListHostedObjects", request.schemaFullName) {
          () throws(RPCError) in
          let kind = try hostedKind(request.type)
          let page: (objects: [CatalogObject], nextPageToken: String)
          if request.schemaFullName.isEmpty {
            page = try await visiblePage(
              caller, pageSize: request.pageSize, pageToken: request.pageToken,
              list: "hosted:" + kind.rawValue, key: \.fullName
            ) { after, limit throws(ServiceError) in
              try await engine.objects(ofKind: kind, after: after, limit: limit)
            }
          } else {
            page = try await listInSchema(
              request.schemaFullName, [kind], caller, pageSize: request.pageSize,
              pageToken: request.pageToken, list: "hosted:" + kind.rawValue)
          }
          var response = Edgecat_Catalog_V1_ListHostedObjectsResponse()
          for object in page.objects where !object.hostedBy.isEmpty {
            response.objects.append(try hostedInfo(object))
          }
          response.nextPageToken = page.nextPageToken
          return response
        }
      },
      .unary(Self.path("UpdateHostedObject")) {
        (request: Edgecat_Catalog_V1_UpdateHostedObjectRequest, context) in
        let caller = try await caller(context)
        return try await auditedWrite(caller, "UpdateHostedObject", request.fullName) {
          audit throws(RPCError) in
          let mask = try UpdateMask(request.updateMask, known: ["comment", "properties", "owner"])
          let kind = try hostedKind(request.type)
          let object = try await existing(
            try name(request.fullName, kind, field: "full_name"), [kind], caller)
          if mask.includes("comment", isSet: !request.comment.isEmpty) {
            try validateComment(request.comment)
          }
          if mask.includes("properties", isSet: !request.properties.isEmpty) {
            try validateProperties(request.properties)
          }
          let details = try updatedHostedDetails(object, request, mask)
          let owner = mask.includes("owner", isSet: !request.owner.isEmpty) ? request.owner : nil
          return try hostedInfo(
            try await update(object, details: details, owner: owner, caller, audit: audit))
        }
      },
      .unary(Self.path("DeleteHostedObject")) {
        (request: Edgecat_Catalog_V1_DeleteHostedObjectRequest, context) in
        let caller = try await caller(context)
        return try await auditedWrite(caller, "DeleteHostedObject", request.fullName) {
          audit throws(RPCError) in
          try requireService(caller, to: "delete hosted objects")
          let kind = try hostedKind(request.type)
          let object = try await existing(
            try name(request.fullName, kind, field: "full_name"), [kind], caller)
          return try await drop(object, caller, force: false, audit: audit)
        }
      },
    ]
  }

  /// Returns the kind of a hosted object: a registered model or a table.
  func hostedKind(_ type: SecurableKind) throws(RPCError) -> ObjectKind {
    switch type {
    case .registeredModel: return .registeredModel
    case .table: return .table
    default:
      throw RPCError(
        .invalidArgument,
        "type \(type.displayName) cannot be hosted; use REGISTERED_MODEL or TABLE")
    }
  }

  /// Returns the calling service's name without the `service:` prefix, such as "registry".
  func hostName(_ caller: Caller) -> String {
    let name = caller.identity.caller
    return name.hasPrefix("service:") ? String(name.dropFirst("service:".count)) : name
  }

  /// Adopts a table that exists and no other service hosts: records `host` and adds the
  /// columns it lacks. Returns nil when there is no such table, and the table unchanged when
  /// `host` already hosts it. A table hosted by another service is ALREADY_EXISTS.
  private func adopt(
    _ name: SecurableName, columns: [Edgecat_Catalog_V1_ColumnInfo], host: String,
    _ caller: Caller, _ audit: AuditRecord
  ) async throws(RPCError) -> CatalogObject? {
    let found = try await mappedAsync { () async throws(ServiceError) in
      try await engine.object(name.fullName)
    }
    guard let found, found.kind == .table else { return nil }
    guard found.hostedBy.isEmpty || found.hostedBy == host else {
      throw RPCError(
        .alreadyExists,
        "table \(name.fullName) is hosted by edgecat-\(found.hostedBy); choose another name")
    }
    var details = try decoded(found, CatalogDetails.table)
    let known = Set(details.columns.map(\.name))
    let missing = columns.filter { !known.contains($0.name) }
    guard found.hostedBy.isEmpty || !missing.isEmpty else { return found }
    details.columns += missing
    var adopted = found
    adopted.hostedBy = host
    adopted.details = details.serializedBytes()
    adopted.updatedAt = engine.clock()
    adopted.updatedBy = caller.principal
    let stored = adopted
    try await mappedAsync { () async throws(ServiceError) in
      try await engine.update(stored, audit: audit)
    }
    logger.info(
      "hosted table adopted",
      ["securable": name.fullName, "hosted_by": host, "columns.added": missing.count])
    return stored
  }

  private func updatedHostedDetails(
    _ object: CatalogObject, _ request: Edgecat_Catalog_V1_UpdateHostedObjectRequest,
    _ mask: UpdateMask
  ) throws(RPCError) -> [UInt8] {
    let setsComment = mask.includes("comment", isSet: !request.comment.isEmpty)
    let setsProperties = mask.includes("properties", isSet: !request.properties.isEmpty)
    if object.kind == .table {
      var table = try decoded(object, CatalogDetails.table)
      if setsComment { table.comment = request.comment }
      if setsProperties { table.properties = request.properties }
      return table.serializedBytes()
    }
    var hosted = try decoded(object, CatalogDetails.hosted)
    if setsComment { hosted.comment = request.comment }
    if setsProperties { hosted.properties = request.properties }
    return hosted.serializedBytes()
  }
}
