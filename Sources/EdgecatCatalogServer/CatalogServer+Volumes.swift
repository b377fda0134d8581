import EdgecatCatalog
import EdgecatCore
import EdgecatProto
import EdgecatRPC

extension CatalogServer {
  var volumeMethods: [RPCMethod] {
    [
      .unary(Self.path("CreateVolume")) {
        (request: Edgecat_Catalog_V1_CreateVolumeRequest, context) in
        let caller = try await caller(context)
        let fullName = [request.catalogName, request.schemaName, request.name].joined(
          separator: ".")
        return try await auditedWrite(caller, "CreateVolume", fullName) { audit throws(RPCError) in
          let name = try name(
            parts: [request.catalogName, request.schemaName, request.name], .volume)
          var details = Edgecat_Catalog_V1_VolumeInfo()
          switch request.volumeType {
          case .unspecified, .managed: details.volumeType = .managed
          case .external:
            guard !request.storageLocation.isEmpty else {
              throw RPCError(
                .invalidArgument,
                "external volume \(name.fullName) needs a storage_location; set it or create a"
                  + " managed volume")
            }
            details.volumeType = .external
          case .unrecognized(let value):
            throw RPCError(.invalidArgument, "volume_type \(value) is not a known volume type")
          }
          details.storageLocation = request.storageLocation
          try validateComment(request.comment)
          details.comment = request.comment
          let object = try await create(
            newObject(.volume, name, caller, details: details.serializedBytes()), caller,
            ifNotExists: request.ifNotExists, audit: audit)
          return try volumeInfo(object)
        }
      },
      .unary(Self.path("GetVolume")) { (request: Edgecat_Catalog_V1_GetVolumeRequest, context) in
        let caller = try await caller(context)
        return try await auditedRead(caller, "GetVolume", request.fullName) {
          () throws(RPCError) in
          try volumeInfo(
            try await visible(
              try name(request.fullName, .volume, field: "full_name"), [.volume], caller))
        }
      },
      .unary(Self.path("ListVolumes")) {
        (request: Edgecat_Catalog_V1_ListVolumesRequest, context) in
        let caller = try await caller(context)
        return try await auditedRead(caller, "ListVolumes", request.schemaFullName) {
          () throws(RPCError) in
          let (objects, next) = try await listInSchema(
            request.schemaFullName, [.volume], caller, pageSize: request.pageSize,
            pageToken: request.pageToken, list: "volumes")
          var response = Edgecat_Catalog_V1_ListVolumesResponse()
          for object in objects { response.volumes.append(try volumeInfo(object)) }
          response.nextPageToken = next
          return response
        }
      },
      .unary(Self.path("UpdateVolume")) {
        (request: Edgecat_Catalog_V1_UpdateVolumeRequest, context) in
        let caller = try await caller(context)
        return try await auditedWrite(caller, "UpdateVolume", request.fullName) {
          audit throws(RPCError) in
          let mask = try UpdateMask(request.updateMask, known: ["comment", "owner"])
          let object = try await existing(
            try name(request.fullName, .volume, field: "full_name"), [.volume], caller)
          var details = try decoded(object, CatalogDetails.volume)
          if mask.includes("comment", isSet: !request.comment.isEmpty) {
            try validateComment(request.comment)
            details.comment = request.comment
          }
          let owner = mask.includes("owner", isSet: !request.owner.isEmpty) ? request.owner : nil
          return try volumeInfo(
            try await update(
              object, details: details.serializedBytes(), owner: owner, caller, audit: audit))
        }
      },
      .unary(Self.path("DeleteVolume")) {
        (request: Edgecat_Catalog_V1_DeleteVolumeRequest, context) in
        let caller = try await caller(context)
        return try await auditedWrite(caller, "DeleteVolume", request.fullName) {
          audit throws(RPCError) in
          let object = try await existing(
            try name(request.fullName, .volume, field: "full_name"), [.volume], caller)
          return try await drop(object, caller, force: false, audit: audit)
        }
      },
    ]
  }
}
