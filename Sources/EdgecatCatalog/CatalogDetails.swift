import EdgecatProto

/// Decoders of the `details` of each kind of object.
public enum CatalogDetails {
  public static func catalog(_ bytes: [UInt8]) throws -> Edgecat_Catalog_V1_CatalogInfo {
    try Edgecat_Catalog_V1_CatalogInfo(serializedBytes: bytes)
  }

  public static func schema(_ bytes: [UInt8]) throws -> Edgecat_Catalog_V1_SchemaInfo {
    try Edgecat_Catalog_V1_SchemaInfo(serializedBytes: bytes)
  }

  /// Tables and views.
  public static func table(_ bytes: [UInt8]) throws -> Edgecat_Catalog_V1_TableInfo {
    try Edgecat_Catalog_V1_TableInfo(serializedBytes: bytes)
  }

  public static func volume(_ bytes: [UInt8]) throws -> Edgecat_Catalog_V1_VolumeInfo {
    try Edgecat_Catalog_V1_VolumeInfo(serializedBytes: bytes)
  }

  public static func function(_ bytes: [UInt8]) throws -> Edgecat_Catalog_V1_FunctionInfo {
    try Edgecat_Catalog_V1_FunctionInfo(serializedBytes: bytes)
  }

  /// Registered models.
  public static func hosted(_ bytes: [UInt8]) throws -> Edgecat_Catalog_V1_HostedObjectInfo {
    try Edgecat_Catalog_V1_HostedObjectInfo(serializedBytes: bytes)
  }
}
