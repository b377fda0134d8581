import EdgecatCore
import EdgecatProto
import EdgecatRPC

extension AgentService {
  /// Entries per ListQuarantined page when the request leaves page_size at 0, and the
  /// maximum, to which a larger page_size is clamped as in every edgecat list.
  static let defaultQuarantinePageSize = 100
  static let maximumQuarantinePageSize = 1000

  /// Returns one page of the quarantine: records by seq, then labels by id.
  func listQuarantined(_ request: Edgecat_Agent_V1_ListQuarantinedRequest)
    async throws(RPCError) -> Edgecat_Agent_V1_ListQuarantinedResponse
  {
    let size = Int(request.pageSize)
    guard size >= 0 else {
      throw RPCError(
        .invalidArgument,
        "page_size \(size) is negative; use 0 for the default of"
          + " \(Self.defaultQuarantinePageSize), or a size up to"
          + " \(Self.maximumQuarantinePageSize)")
    }
    let limit =
      size == 0 ? Self.defaultQuarantinePageSize : min(size, Self.maximumQuarantinePageSize)
    let position = try Self.quarantinePosition(request.pageToken)
    let page: QuarantinePage
    do {
      page = try await spool.quarantinedPage(after: position, limit: limit)
    } catch {
      logger.error("quarantine listing failed", ["error": "\(error)"])
      throw RPCError(.internal, "the agent could not read its spool: \(error)")
    }
    var response = Edgecat_Agent_V1_ListQuarantinedResponse()
    response.records = page.records.map { entry in
      var record = Edgecat_Agent_V1_QuarantinedRecord()
      record.epoch = spool.epoch
      record.seq = entry.record.seq
      record.modelFullName = entry.record.modelFullName
      record.modelVersion = entry.record.modelVersion
      record.timestampMs = entry.record.timestampMs
      record.statusCode = entry.statusCode
      record.statusMessage = entry.message
      record.quarantinedMs = entry.quarantinedMs
      return record
    }
    response.labels = page.labels.map { entry in
      var label = Edgecat_Agent_V1_QuarantinedLabel()
      label.id = entry.label.id
      label.epoch = entry.label.epoch
      label.seq = entry.label.seq
      label.label = entry.label.label
      label.statusCode = entry.statusCode
      label.statusMessage = entry.message
      label.quarantinedMs = entry.quarantinedMs
      return label
    }
    response.nextPageToken = page.next.map(Self.pageToken) ?? ""
    return response
  }

  /// Moves the selected quarantined entries back to the pending queue.
  func resendQuarantined(_ request: Edgecat_Agent_V1_ResendQuarantinedRequest)
    async throws(RPCError) -> Edgecat_Agent_V1_ResendQuarantinedResponse
  {
    let selection = QuarantineSelection(
      all: request.all, seqs: request.seqs, labelIDs: request.labelIds)
    let change = try await mappedAsync { () async throws(ServiceError) in
      try await spool.resendQuarantined(selection)
    }
    var response = Edgecat_Agent_V1_ResendQuarantinedResponse()
    response.records = change.records
    response.labels = change.labels
    return response
  }

  /// Deletes the selected quarantined entries.
  func discardQuarantined(_ request: Edgecat_Agent_V1_DiscardQuarantinedRequest)
    async throws(RPCError) -> Edgecat_Agent_V1_DiscardQuarantinedResponse
  {
    let selection = QuarantineSelection(
      all: request.all, seqs: request.seqs, labelIDs: request.labelIds)
    let change = try await mappedAsync { () async throws(ServiceError) in
      try await spool.discardQuarantined(selection)
    }
    var response = Edgecat_Agent_V1_DiscardQuarantinedResponse()
    response.records = change.records
    response.labels = change.labels
    response.bytes = change.bytes
    return response
  }

  /// Encodes a listing position as "records/<seq>" or "labels/<id>".
  static func pageToken(_ position: QuarantinePosition) -> String {
    switch position {
    case .afterRecord(let seq): "records/\(seq)"
    case .afterLabel(let id): "labels/\(id)"
    }
  }

  /// Decodes a page token made by `pageToken`; empty is the start of the listing.
  static func quarantinePosition(_ token: String) throws(RPCError) -> QuarantinePosition {
    guard !token.isEmpty else { return .start }
    let parts = token.split(separator: "/", omittingEmptySubsequences: false)
    if parts.count == 2 {
      if parts[0] == "records", let seq = UInt64(parts[1]), seq <= UInt64(Int64.max) {
        return .afterRecord(seq: seq)
      }
      if parts[0] == "labels", let id = Int64(parts[1]), id >= 0 {
        return .afterLabel(id: id)
      }
    }
    throw RPCError(
      .invalidArgument,
      "page_token \"\(token.prefix(80))\" is invalid; send the next_page_token of the"
        + " previous ListQuarantined response, or an empty token for the first page")
  }
}
