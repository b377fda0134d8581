import EdgecatCrypto
import EdgecatStore

/// The tokens bootstrap created, to be written to files by the caller.
public struct BootstrapResult: Sendable {
  public let admin: CreatedToken
  /// One token per service principal, in the order the services were given.
  public let services: [CreatedToken]
}

extension PolicyEngine {
  /// Creates the admin user in `metastore-admins` and a `service:<name>` principal in
  /// `edgecat-services` for each name, each with a token. Runs on the first start only and
  /// returns nil on every later call.
  public func bootstrap(
    admin: String, services: [String], requestID: String = "bootstrap"
  ) async throws -> BootstrapResult? {
    let serviceNames = services.map {
      $0.hasPrefix(PrincipalName.servicePrefix) ? $0 : PrincipalName.servicePrefix + $0
    }
    var planned: [(name: String, secret: String, id: String)] = []
    for name in [admin] + serviceNames {
      planned.append(
        (
          name, "ect_" + (try SecureRandom.token()),
          "tok-" + Hex.encode(try SecureRandom.bytes(count: 8))
        ))
    }
    let details = AuditDetails(
      action: "bootstrap",
      parameters: [("admin", admin), ("services", serviceNames.joined(separator: ","))])
    let context = RequestContext(principal: "bootstrap", requestID: requestID)
    let (createdAt, result) = try await performWrite(details, context: context) {
      model, pending -> Double? in
      guard !model.isBootstrapped else { return nil }
      try PrincipalName.validate(admin, kind: .user)
      for name in serviceNames { try PrincipalName.validate(name, kind: .service) }
      let now = options.clock()
      for (index, plan) in planned.enumerated() {
        let group = index == 0 ? model.adminsID : model.servicesID
        let id = try ensureMember(
          plan.name, kind: index == 0 ? .user : .service, of: group, now: now,
          model: &model, pending: &pending)
        try insertToken(
          TokenEntry(
            id: plan.id, principal: id, hash: SHA256.hexDigest(Array(plan.secret.utf8)),
            createdAt: now, expiresAt: nil, description: "bootstrap"),
          principal: plan.name, model: &model, pending: &pending)
      }
      model.recomputeClosures()
      model.isBootstrapped = true
      pending.execute("UPDATE policy_meta SET value = '1' WHERE key = 'bootstrapped'")
      return now
    }
    guard let createdAt else { return nil }
    let tokens = planned.map {
      CreatedToken(
        id: $0.id, principal: $0.name, secret: $0.secret, createdAt: createdAt,
        expiresAt: nil, revision: result.revision)
    }
    logger.info("policy bootstrapped", ["admin": admin, "services": serviceNames.count])
    return BootstrapResult(admin: tokens[0], services: Array(tokens.dropFirst()))
  }

  /// Creates `name` when missing and makes it a direct member of `group`; returns its id.
  private func ensureMember(
    _ name: String, kind: PrincipalKind, of group: Int32, now: Double,
    model: inout PolicyModel, pending: inout PendingWrite
  ) throws -> Int32 {
    let id: Int32
    if let existing = model.principalIDs[name] {
      id = existing
    } else {
      id = model.insertPrincipal(name: name, kind: kind, createdAt: now)
      pending.execute(
        "INSERT INTO principals (name, kind, created_at) VALUES (?, ?, ?)", .text(name),
        .text(kind.rawValue), .real(now))
      pending.record(.principalCreated, principal: name)
    }
    guard !model.principal(id).directGroups.contains(group) else { return id }
    model.principals[Int(id)]!.directGroups.append(group)
    pending.execute(
      "INSERT INTO memberships (group_name, member) VALUES (?, ?)",
      .text(model.principal(group).name), .text(name))
    pending.record(.membershipChanged, principal: name)
    return id
  }
}
