import EdgecatCore
import EdgecatProto
import EdgecatRPC
import EdgecatRegistry
import EdgecatServiceKit

extension RegistryServer {
  var deviceMethods: [RPCMethod] {
    [
      .unary(Self.path("RegisterDevice")) {
        (request: Edgecat_Registry_V1_RegisterDeviceRequest, context) in
        let caller = try await caller(context)
        return try await auditedWrite(caller, "RegisterDevice", nil, deviceParameters(request)) {
          audit throws(RPCError) in
          try await requireAdmin(caller, to: "register devices")
          var details = DeviceMessage()
          details.deviceID = request.deviceID
          details.location = request.location
          details.region = request.region
          details.group = request.group
          details.labels = request.labels
          return deviceMessage(
            try await mappedAsync { () async throws(ServiceError) in
              try await engine.registerDevice(details, audit: audit)
            })
        }
      },
      .unary(Self.path("UpdateDevice")) {
        (request: Edgecat_Registry_V1_UpdateDeviceRequest, context) in
        let caller = try await caller(context)
        return try await auditedWrite(
          caller, "UpdateDevice", nil,
          [
            ("device_id", request.deviceID),
            ("update_mask", request.updateMask.joined(separator: ",")),
          ]
        ) { audit throws(RPCError) in
          try validateDeviceID(request.deviceID)
          try await requireAdmin(caller, to: "update devices")
          return deviceMessage(try await updateDevice(request, audit))
        }
      },
      .unary(Self.path("DeregisterDevice")) {
        (request: Edgecat_Registry_V1_DeregisterDeviceRequest, context) in
        let caller = try await caller(context)
        return try await auditedWrite(
          caller, "DeregisterDevice", nil, [("device_id", request.deviceID)]
        ) { audit throws(RPCError) in
          try validateDeviceID(request.deviceID)
          try await requireAdmin(caller, to: "deregister devices")
          try await mappedAsync { () async throws(ServiceError) in
            try await engine.deregisterDevice(request.deviceID, audit: audit)
          }
          return Edgecat_Registry_V1_DeregisterDeviceResponse()
        }
      },
      .unary(Self.path("GetDevice")) { (request: Edgecat_Registry_V1_GetDeviceRequest, context) in
        let caller = try await caller(context)
        return try await auditedRead(
          caller, "GetDevice", nil, [("device_id", request.deviceID)]
        ) { () throws(RPCError) in
          try await requireDeviceReader(caller, request.deviceID)
          let record = try await mappedAsync { () async throws(ServiceError) in
            try await engine.device(request.deviceID)
          }
          guard let record else {
            throw RPCError(.notFound, "device \(request.deviceID) is not registered")
          }
          return deviceMessage(record)
        }
      },
      .unary(Self.path("ListDevices")) {
        (request: Edgecat_Registry_V1_ListDevicesRequest, context) in
        let caller = try await caller(context)
        return try await auditedRead(caller, "ListDevices", nil) { () throws(RPCError) in
          if !caller.identity.callerIsService { try await requireAdmin(caller, to: "list devices") }
          let page = try await mappedAsync { () async throws(ServiceError) in
            try await engine.devices(
              matching: request.selector ?? DeviceSelector(), pageSize: Int(request.pageSize),
              pageToken: request.pageToken)
          }
          var response = Edgecat_Registry_V1_ListDevicesResponse()
          response.devices = page.devices.map(deviceMessage)
          response.nextPageToken = page.nextPageToken
          return response
        }
      },
    ]
  }

  /// Throws INVALID_ARGUMENT for an id no device can have, and PERMISSION_DENIED unless the
  /// caller is the device itself, an edgecat service or a metastore admin.
  func requireDeviceReader(_ caller: Caller, _ deviceID: String) async throws(RPCError) {
    try validateDeviceID(deviceID)
    guard caller.principal != "device:\(deviceID)", !caller.identity.callerIsService else { return }
    try await requireAdmin(caller, to: "read device \(deviceID)")
  }

  private func updateDevice(
    _ request: Edgecat_Registry_V1_UpdateDeviceRequest, _ audit: AuditRecord
  ) async throws(RPCError) -> DeviceRecord {
    let known = ["location", "region", "group", "labels"]
    for field in request.updateMask where !known.contains(field) {
      throw RPCError(
        .invalidArgument,
        "update_mask names unknown field \"\(field)\"; use \(known.joined(separator: ", "))")
    }
    let mask = request.updateMask
    func includes(_ field: String, isSet: Bool) -> Bool {
      mask.isEmpty ? isSet : mask.contains(field)
    }
    let setsLocation = includes("location", isSet: !request.location.isEmpty)
    let setsRegion = includes("region", isSet: !request.region.isEmpty)
    let setsGroup = includes("group", isSet: !request.group.isEmpty)
    let setsLabels = includes("labels", isSet: !request.labels.isEmpty)
    return try await mappedAsync { () async throws(ServiceError) in
      try await engine.updateDevice(request.deviceID, audit: audit) { details in
        if setsLocation { details.location = request.location }
        if setsRegion { details.region = request.region }
        if setsGroup { details.group = request.group }
        if setsLabels { details.labels = request.labels }
      }
    }
  }

  private func deviceParameters(_ request: Edgecat_Registry_V1_RegisterDeviceRequest)
    -> [(String, String)]
  {
    [
      ("device_id", request.deviceID), ("location", request.location),
      ("region", request.region), ("group", request.group),
    ]
  }

  /// Throws INVALID_ARGUMENT, naming the id and the characters it may use, for an id that
  /// RegisterDevice would reject, so that such an id is not reported as an unregistered device.
  func validateDeviceID(_ deviceID: String) throws(RPCError) {
    try mapped { () throws(ServiceError) in try DeviceRules.validateID(deviceID) }
  }
}
