import EdgecatCatalog
import EdgecatCore
import EdgecatProto
import EdgecatRPC

/// The maximum length of a comment, in characters.
let maximumCommentLength = 10_000

extension CatalogServer {
  func auditFields(_ object: CatalogObject) -> Edgecat_Catalog_V1_AuditFields {
    var fields = Edgecat_Catalog_V1_AuditFields()
    fields.createdAt = DatetimeText.format(object.createdAt)
    fields.createdBy = object.createdBy
    fields.updatedAt = DatetimeText.format(object.updatedAt)
    fields.updatedBy = object.updatedBy
    return fields
  }

  /// Decodes stored details; a row that does not decode is INTERNAL.
  func decoded<Message>(
    _ object: CatalogObject, _ decode: ([UInt8]) throws -> Message
  ) throws(RPCError) -> Message {
    do {
      return try decode(object.details)
    } catch {
      logger.error(
        "stored details do not decode", ["securable": object.fullName, "error": "\(error)"])
      throw RPCError(.internal, "the stored entry of \(object.fullName) is damaged")
    }
  }

  func catalogInfo(_ object: CatalogObject) throws(RPCError) -> Edgecat_Catalog_V1_CatalogInfo {
    var info = try decoded(object, CatalogDetails.catalog)
    info.name = object.fullName
    info.owner = object.owner
    info.audit = auditFields(object)
    return info
  }

  func schemaInfo(_ object: CatalogObject) throws(RPCError) -> Edgecat_Catalog_V1_SchemaInfo {
    var info = try decoded(object, CatalogDetails.schema)
    info.name = object.shortName
    info.catalogName = object.catalogName
    info.fullName = object.fullName
    info.owner = object.owner
    info.audit = auditFields(object)
    return info
  }

  func tableInfo(_ object: CatalogObject) throws(RPCError) -> Edgecat_Catalog_V1_TableInfo {
    var info = try decoded(object, CatalogDetails.table)
    info.name = object.shortName
    info.catalogName = object.catalogName
    info.schemaName = object.schemaName
    info.fullName = object.fullName
    info.owner = object.owner
    info.hostedBy = object.hostedBy
    info.audit = auditFields(object)
    return info
  }

  func volumeInfo(_ object: CatalogObject) throws(RPCError) -> Edgecat_Catalog_V1_VolumeInfo {
    var info = try decoded(object, CatalogDetails.volume)
    info.name = object.shortName
    info.catalogName = object.catalogName
    info.schemaName = object.schemaName
    info.fullName = object.fullName
    info.owner = object.owner
    info.audit = auditFields(object)
    return info
  }

  func functionInfo(_ object: CatalogObject) throws(RPCError) -> Edgecat_Catalog_V1_FunctionInfo {
    var info = try decoded(object, CatalogDetails.function)
    info.name = object.shortName
    info.catalogName = object.catalogName
    info.schemaName = object.schemaName
    info.fullName = object.fullName
    info.owner = object.owner
    info.audit = auditFields(object)
    return info
  }

  /// Returns a hosted object's message. Hosted tables store table details and registered
  /// models hosted-object details.
  func hostedInfo(_ object: CatalogObject) throws(RPCError) -> Edgecat_Catalog_V1_HostedObjectInfo {
    var info = Edgecat_Catalog_V1_HostedObjectInfo()
    if object.kind == .table {
      let table = try decoded(object, CatalogDetails.table)
      info.comment = table.comment
      info.properties = table.properties
      info.columns = table.columns
    } else {
      info = try decoded(object, CatalogDetails.hosted)
    }
    info.type = object.kind.securableKind
    info.name = object.shortName
    info.catalogName = object.catalogName
    info.schemaName = object.schemaName
    info.fullName = object.fullName
    info.owner = object.owner
    info.hostedBy = object.hostedBy
    info.audit = auditFields(object)
    return info
  }

  /// Returns a new object owned by the end user with `details`.
  func newObject(
    _ kind: ObjectKind, _ name: SecurableName, _ caller: Caller, details: [UInt8],
    hostedBy: String = ""
  ) -> CatalogObject {
    CatalogObject(
      kind: kind, name: name, owner: caller.principal, hostedBy: hostedBy, details: details,
      createdAt: engine.clock(), createdBy: caller.principal)
  }
}

/// The fields an update request changes.
struct UpdateMask {
  private let fields: Set<String>
  private let isEmpty: Bool

  /// Validates `mask` against the fields the request type has; an unknown name is
  /// INVALID_ARGUMENT listing the known ones.
  init(_ mask: [String], known: [String]) throws(RPCError) {
    for field in mask where !known.contains(field) {
      throw RPCError(
        .invalidArgument,
        "update_mask names unknown field \"\(field)\"; use \(known.joined(separator: ", "))")
    }
    fields = Set(mask)
    isEmpty = mask.isEmpty
  }

  /// True when the field is in the mask or, without a mask, when the request set it.
  func includes(_ field: String, isSet: Bool) -> Bool {
    isEmpty ? isSet : fields.contains(field)
  }
}

/// Checks a comment's length and that its only control characters are line breaks and tabs,
/// so that one printed in a terminal cannot carry escape sequences.
func validateComment(_ comment: String) throws(RPCError) {
  guard comment.count <= maximumCommentLength else {
    throw RPCError(
      .invalidArgument,
      "comment has \(comment.count) characters; the maximum is \(maximumCommentLength)")
  }
  if let control = ControlCharacters.first(in: comment, allowingLineBreaks: true) {
    throw RPCError(
      .invalidArgument,
      "comment contains control character \(control); remove it (line breaks and tabs are"
        + " allowed)")
  }
}

/// Checks property keys (1 to 255 characters without control characters) and value lengths.
func validateProperties(_ properties: [String: String]) throws(RPCError) {
  for (key, value) in properties {
    guard !key.isEmpty, key.count <= 255 else {
      throw RPCError(
        .invalidArgument, "property key \"\(key)\" has \(key.count) characters; use 1 to 255")
    }
    if let control = ControlCharacters.first(in: key) {
      throw RPCError(
        .invalidArgument,
        "property key \(key.debugDescription) contains control character \(control); remove it")
    }
    guard value.count <= maximumCommentLength else {
      throw RPCError(
        .invalidArgument,
        "property \"\(key)\" has a value of \(value.count) characters; the maximum is"
          + " \(maximumCommentLength)")
    }
  }
}
