import EdgecatCore
import EdgecatStore

/// A principal as listings show it.
public struct PrincipalInfo: Sendable, Hashable {
  public let name: String
  public let kind: PrincipalKind
  /// The groups it is a direct member of, sorted.
  public let directGroups: [String]
  /// Every group it belongs to through any chain, `account users` included, sorted.
  public let groups: [String]
  public let attributes: [String: String]
  /// The direct members, for a group; sorted.
  public let members: [String]
  /// Seconds since the Unix epoch; 0 for the built-in groups.
  public let createdAt: Double
}

extension PolicyEngine {
  /// The maximum length of a principal attribute value, in characters. Every attribute is in
  /// each GetPrincipal and ListPrincipals response, and a page holds up to 1000 principals.
  /// NOTE: the number of attributes per principal is not capped, so a page of principals with
  /// many long attributes can still exceed the 4 MiB message limit.
  public static let maximumAttributeValueLength = 1000

  /// Creates a principal. Only metastore admins and edgecat services may create principals.
  @discardableResult
  public func createPrincipal(
    _ name: String, kind: PrincipalKind, context: RequestContext
  ) async throws -> WriteResult {
    let details = AuditDetails(
      action: "createPrincipal", parameters: [("name", name), ("kind", kind.rawValue)])
    return try await performWrite(details, context: context) { model, pending in
      let actor = try requireActor(context, in: model)
      try requireAdmin(actor, in: model, orService: true, for: "create principals")
      try PrincipalName.validate(name, kind: kind)
      guard model.principalIDs[name] == nil else {
        throw PolicyError(
          code: .alreadyExists, message: "principal '\(name)' already exists; pick another name")
      }
      let now = options.clock()
      model.insertPrincipal(name: name, kind: kind, createdAt: now)
      pending.execute(
        "INSERT INTO principals (name, kind, created_at) VALUES (?, ?, ?)", .text(name),
        .text(kind.rawValue), .real(now))
      pending.record(.principalCreated, principal: name)
    }.result
  }

  /// Adds `member` to `group`. Adding an existing member changes nothing; a membership that
  /// would make a group contain itself is INVALID_ARGUMENT.
  @discardableResult
  public func addMember(
    _ member: String, to group: String, context: RequestContext
  ) async throws -> WriteResult {
    let details = AuditDetails(
      action: "addMember", parameters: [("group", group), ("member", member)])
    return try await performWrite(details, context: context) { model, pending in
      let (memberEntry, groupEntry) = try membershipTargets(member, group, context, model)
      guard !memberEntry.directGroups.contains(groupEntry.id) else { return }
      guard member != BuiltInGroup.accountUsers else {
        throw PolicyError.invalidArgument(
          "'account users' contains every principal and cannot be a member of '\(group)'")
      }
      guard !groupEntry.closure.contains(memberEntry.id) else {
        throw PolicyError.invalidArgument(
          "adding '\(member)' to '\(group)' would make a membership cycle, because '\(group)'"
            + " already belongs to '\(member)'; remove that membership first")
      }
      model.principals[Int(memberEntry.id)]!.directGroups.append(groupEntry.id)
      model.recomputeClosures()
      pending.execute(
        "INSERT INTO memberships (group_name, member) VALUES (?, ?)", .text(group),
        .text(member))
      pending.record(.membershipChanged, principal: member)
    }.result
  }

  /// Removes `member` from `group`; removing a non-member changes nothing. A removal that
  /// would leave metastore-admins without a user or service principal is FAILED_PRECONDITION.
  @discardableResult
  public func removeMember(
    _ member: String, from group: String, context: RequestContext
  ) async throws -> WriteResult {
    let details = AuditDetails(
      action: "removeMember", parameters: [("group", group), ("member", member)])
    return try await performWrite(details, context: context) { model, pending in
      let (memberEntry, groupEntry) = try membershipTargets(member, group, context, model)
      guard memberEntry.directGroups.contains(groupEntry.id) else { return }
      let hadAdmin = model.hasAdmin
      model.principals[Int(memberEntry.id)]!.directGroups.removeAll { $0 == groupEntry.id }
      model.recomputeClosures()
      if hadAdmin, !model.hasAdmin {
        throw PolicyError(
          code: .failedPrecondition,
          message: "removing '\(member)' from '\(group)' would leave no user or service"
            + " principal in \(BuiltInGroup.metastoreAdmins); add another admin first")
      }
      pending.execute(
        "DELETE FROM memberships WHERE group_name = ? AND member = ?", .text(group),
        .text(member))
      pending.record(.membershipChanged, principal: member)
    }.result
  }

  private func membershipTargets(
    _ member: String, _ group: String, _ context: RequestContext, _ model: PolicyModel
  ) throws(PolicyError) -> (member: PrincipalEntry, group: PrincipalEntry) {
    let actor = try requireActor(context, in: model)
    try requireAdmin(actor, in: model, orService: true, for: "change group memberships")
    let groupEntry = try model.requirePrincipal(group)
    guard groupEntry.kind == .group else {
      throw .invalidArgument(
        "'\(group)' is a \(groupEntry.kind.noun), not a group; only groups have members")
    }
    guard group != BuiltInGroup.accountUsers else {
      throw .invalidArgument(
        "'account users' contains every principal and takes no explicit members")
    }
    return (try model.requirePrincipal(member), groupEntry)
  }

  /// Sets attribute `key` of `principal` to `value`, or removes it when `value` is nil.
  @discardableResult
  public func setAttribute(
    _ key: String, to value: String?, of principal: String, context: RequestContext
  ) async throws -> WriteResult {
    let details = AuditDetails(
      action: "setAttribute",
      parameters: [("principal", principal), ("key", key), ("value", value ?? "")])
    return try await performWrite(details, context: context) { model, pending in
      let actor = try requireActor(context, in: model)
      try requireAdmin(actor, in: model, orService: true, for: "change principal attributes")
      let entry = try model.requirePrincipal(principal)
      let key = try SecurableName.validatePart(key, position: 1, of: key, noun: "attribute key")
      if let value, value.count > Self.maximumAttributeValueLength {
        throw PolicyError.invalidArgument(
          "the value of attribute '\(key)' of '\(principal)' has \(value.count) characters;"
            + " the maximum is \(Self.maximumAttributeValueLength)")
      }
      guard entry.attributes[key] != value else { return }
      model.principals[Int(entry.id)]!.attributes[key] = value
      if let value {
        pending.execute(
          "INSERT OR REPLACE INTO principal_attributes (principal, key, value) VALUES (?, ?, ?)",
          .text(principal), .text(key), .text(value))
      } else {
        pending.execute(
          "DELETE FROM principal_attributes WHERE principal = ? AND key = ?", .text(principal),
          .text(key))
      }
      pending.record(.attributeChanged, principal: principal)
    }.result
  }

  /// Returns a principal with its groups, attributes and, for a group, its direct members.
  public func principal(named name: String) throws(PolicyError) -> PrincipalInfo {
    let model = snapshot.model
    return info(of: try model.requirePrincipal(name), in: model)
  }

  func info(of entry: PrincipalEntry, in model: PolicyModel) -> PrincipalInfo {
    PrincipalInfo(
      name: entry.name, kind: entry.kind,
      directGroups: entry.directGroups.map { model.principal($0).name }.sorted(),
      groups: entry.closure.filter { $0 != entry.id }.map { model.principal($0).name }.sorted(),
      attributes: entry.attributes,
      members: entry.kind == .group ? model.directMembers(of: entry.id) : [],
      createdAt: entry.createdAt)
  }
}
