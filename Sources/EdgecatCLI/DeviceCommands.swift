import EdgecatProto

/// `edgecat device`: the device inventory of the registry and each device's desired state.
enum DeviceCommands {
  static let listColumns = [
    TableColumn("device_id", header: "DEVICE"), TableColumn("location"), TableColumn("region"),
    TableColumn("group"), TableColumn("labels"),
    TableColumn(
      "reported_models", header: "MODELS",
      format: { value in
        (value.arrayValue ?? []).map { model in
          let name = model["model_full_name"]?.cellText ?? ""
          let version = model["version"]?.cellText ?? ""
          let state = model["state"]?.cellText ?? ""
          return "\(name)/\(version) \(state)"
        }.joined(separator: ", ")
      }),
    TableColumn("reported_at", header: "REPORTED_AT"),
  ]
  static let idArgument = ArgumentSpec(
    "DEVICE_ID", help: "1 to 255 ASCII letters, digits, _, -, . or :")
  static let inventoryFlags = [
    FlagSpec("location", value: "TEXT", help: "where the device is, such as plant-3/line-2"),
    FlagSpec("region", value: "NAME", help: "region for row filters, such as eu-west"),
    FlagSpec("group", value: "NAME", help: "device group that deployments select"),
    FlagSpec(
      "label", value: "KEY=VALUE", repeatable: true,
      help: "label that deployments select; on update, the given labels replace every label"),
  ]

  static let noun = Noun(
    "device", "the device inventory and desired states (admins only)",
    verbs: [
      Verb(
        "register", "add a device to the inventory", arguments: [idArgument],
        flags: inventoryFlags
      ) { invocation in
        let arguments = invocation.arguments
        var request = Edgecat_Registry_V1_RegisterDeviceRequest()
        request.deviceID = arguments.positionals[0]
        request.location = arguments["location"] ?? ""
        request.region = arguments["region"] ?? ""
        request.group = arguments["group"] ?? ""
        request.labels = try arguments.pairs("label")
        let device: Edgecat_Registry_V1_Device = try await invocation.clients.call(
          .registry, "RegisterDevice", request)
        return .record(RegistryJSON.device(device))
      },
      Verb(
        "update", "change a device's location, region, group or labels", arguments: [idArgument],
        flags: inventoryFlags
      ) { invocation in
        let arguments = invocation.arguments
        var request = Edgecat_Registry_V1_UpdateDeviceRequest()
        request.deviceID = arguments.positionals[0]
        request.location = arguments["location"] ?? ""
        request.region = arguments["region"] ?? ""
        request.group = arguments["group"] ?? ""
        request.labels = try arguments.pairs("label")
        request.updateMask = try NameArguments.updateMask(
          arguments,
          fields: ["location": "location", "region": "region", "group": "group", "labels": "label"])
        let device: Edgecat_Registry_V1_Device = try await invocation.clients.call(
          .registry, "UpdateDevice", request)
        return .record(RegistryJSON.device(device))
      },
      Verb(
        "deregister", "remove a device with its desired and reported state",
        arguments: [idArgument]
      ) { invocation in
        var request = Edgecat_Registry_V1_DeregisterDeviceRequest()
        request.deviceID = invocation.arguments.positionals[0]
        let _: Edgecat_Registry_V1_DeregisterDeviceResponse = try await invocation.clients.call(
          .registry, "DeregisterDevice", request)
        return .message(
          .object([("deregistered", .string(request.deviceID))]),
          text: "deregistered \(request.deviceID)")
      },
      Verb("get", "show a device with the models it reported", arguments: [idArgument]) {
        invocation in
        var request = Edgecat_Registry_V1_GetDeviceRequest()
        request.deviceID = invocation.arguments.positionals[0]
        let device: Edgecat_Registry_V1_Device = try await invocation.clients.call(
          .registry, "GetDevice", request)
        return .record(RegistryJSON.device(device))
      },
      Verb(
        "list", "list the devices that match a selector, by id",
        flags: DeploymentCommands.selectorFlags + Paging.flags
      ) { invocation in
        let selector = try DeploymentCommands.selector(invocation.arguments)
        let devices = try await Paging.collect(invocation.arguments) { size, token in
          var request = Edgecat_Registry_V1_ListDevicesRequest()
          request.selector = selector
          request.pageSize = size
          request.pageToken = token
          let response: Edgecat_Registry_V1_ListDevicesResponse = try await invocation.clients
            .call(.registry, "ListDevices", request)
          return (response.devices, response.nextPageToken)
        }
        return .list(devices.map(RegistryJSON.device), columns: listColumns)
      },
      Verb("desired-state", "show the models a device should run", arguments: [idArgument]) {
        invocation in
        var request = Edgecat_Registry_V1_GetDesiredStateRequest()
        request.deviceID = invocation.arguments.positionals[0]
        let state: Edgecat_Registry_V1_DesiredState = try await invocation.clients.call(
          .registry, "GetDesiredState", request)
        return .record(RegistryJSON.desiredState(state))
      },
      Verb(
        "resend", "send the desired state of devices again to their agents",
        arguments: [ArgumentSpec("DEVICE_ID", variadic: true, help: "devices to resend to")]
      ) { invocation in
        let ids = invocation.arguments.positionals
        guard !ids.isEmpty else {
          throw CLIError.usage("edgecat device resend needs DEVICE_ID; name one or more devices")
        }
        var request = Edgecat_Registry_V1_ResendDesiredStateRequest()
        request.deviceIds = ids
        let response: Edgecat_Registry_V1_ResendDesiredStateResponse =
          try await invocation
          .clients.call(.registry, "ResendDesiredState", request)
        let waiting = ids.filter { !response.sent.contains($0) }
        var text =
          "sent to " + (response.sent.isEmpty ? "no device" : response.sent.joined(separator: ", "))
        if !waiting.isEmpty {
          text += "; not connected: \(waiting.joined(separator: ", "))"
        }
        return .message(
          .object([("sent", .strings(response.sent)), ("not_connected", .strings(waiting))]),
          text: text)
      },
    ])
}
