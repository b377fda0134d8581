import EdgecatProto

/// `edgecat volume`: volumes of a schema, which name where files live.
enum VolumeCommands {
  static let listColumns = [
    TableColumn("full_name", header: "FULL_NAME"), TableColumn("volume_type", header: "TYPE"),
    TableColumn("storage_location", header: "LOCATION"), TableColumn("owner"),
    TableColumn("comment"),
  ]
  static let nameArgument = ArgumentSpec("CATALOG.SCHEMA.VOLUME", help: "volume full name")

  static let noun = Noun(
    "volume", "volumes: named storage locations for files",
    verbs: [
      Verb(
        "create", "create a volume", arguments: [nameArgument],
        flags: [
          FlagSpec(
            "location", value: "PATH",
            help: "storage location; makes the volume EXTERNAL (default: MANAGED)"),
          NameArguments.comment, NameArguments.ifNotExists,
        ]
      ) { invocation in
        let arguments = invocation.arguments
        let parts = try NameArguments.split(arguments.positionals[0], parts: 3, kind: "volume")
        var request = Edgecat_Catalog_V1_CreateVolumeRequest()
        request.catalogName = parts[0]
        request.schemaName = parts[1]
        request.name = parts[2]
        if let location = arguments["location"] {
          request.volumeType = .external
          request.storageLocation = location
        }
        request.comment = arguments["comment"] ?? ""
        request.ifNotExists = arguments.has("if-not-exists")
        let volume: Edgecat_Catalog_V1_VolumeInfo = try await invocation.clients.call(
          .catalog, "CreateVolume", request)
        return .record(CatalogJSON.volume(volume))
      },
      Verb("get", "show a volume", arguments: [nameArgument]) { invocation in
        var request = Edgecat_Catalog_V1_GetVolumeRequest()
        request.fullName = invocation.arguments.positionals[0]
        let volume: Edgecat_Catalog_V1_VolumeInfo = try await invocation.clients.call(
          .catalog, "GetVolume", request)
        return .record(CatalogJSON.volume(volume))
      },
      Verb(
        "list", "list the volumes of a schema",
        arguments: [ArgumentSpec("CATALOG.SCHEMA", help: "schema full name")],
        flags: Paging.flags
      ) { invocation in
        let volumes = try await Paging.collect(invocation.arguments) { size, token in
          var request = Edgecat_Catalog_V1_ListVolumesRequest()
          request.schemaFullName = invocation.arguments.positionals[0]
          request.pageSize = size
          request.pageToken = token
          let response: Edgecat_Catalog_V1_ListVolumesResponse = try await invocation.clients
            .call(.catalog, "ListVolumes", request)
          return (response.volumes, response.nextPageToken)
        }
        return .list(volumes.map(CatalogJSON.volume), columns: listColumns)
      },
      Verb(
        "update", "change a volume's comment or owner", arguments: [nameArgument],
        flags: [NameArguments.comment, NameArguments.owner]
      ) { invocation in
        let arguments = invocation.arguments
        var request = Edgecat_Catalog_V1_UpdateVolumeRequest()
        request.fullName = arguments.positionals[0]
        request.comment = arguments["comment"] ?? ""
        request.owner = arguments["owner"] ?? ""
        request.updateMask = try NameArguments.updateMask(
          arguments, fields: ["comment": "comment", "owner": "owner"])
        let volume: Edgecat_Catalog_V1_VolumeInfo = try await invocation.clients.call(
          .catalog, "UpdateVolume", request)
        return .record(CatalogJSON.volume(volume))
      },
      Verb("delete", "delete a volume", arguments: [nameArgument]) { invocation in
        var request = Edgecat_Catalog_V1_DeleteVolumeRequest()
        request.fullName = invocation.arguments.positionals[0]
        let response: Edgecat_Catalog_V1_DeleteResponse = try await invocation.clients.call(
          .catalog, "DeleteVolume", request)
        return CatalogCommands.deleted(response)
      },
    ])
}
