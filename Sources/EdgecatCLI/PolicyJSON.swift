import EdgecatProto

/// JSON of the policy service's messages, with the proto field names as keys.
enum PolicyJSON {
  static func principal(_ principal: Edgecat_Policy_V1_Principal) -> JSONValue {
    .object([
      ("name", .string(principal.name)),
      ("type", .string(protoEnumName(principal.type))),
      ("groups", .strings(principal.groups)),
      ("members", .strings(principal.members)),
      ("attributes", .stringMap(principal.attributes)),
      ("created_at", .string(principal.createdAt)),
    ])
  }

  static func token(_ info: Edgecat_Policy_V1_TokenInfo) -> JSONValue {
    .object([
      ("token_id", .string(info.tokenID)),
      ("principal", .string(info.principal)),
      ("comment", .string(info.comment)),
      ("created_at", .string(info.createdAt)),
      ("expires_at", .string(info.expiresAt)),
      ("revoked_at", .string(info.revokedAt)),
    ])
  }

  static func grant(_ grant: Edgecat_Policy_V1_GrantInfo) -> JSONValue {
    .object([("principal", .string(grant.principal)), ("privileges", .strings(grant.privileges))])
  }

  static func effectivePrivilege(_ privilege: Edgecat_Policy_V1_EffectivePrivilege) -> JSONValue {
    .object([
      ("privilege", .string(privilege.privilege)),
      (
        "sources",
        .array(
          privilege.sources.map { source in
            .object([
              ("kind", .string(protoEnumName(source.kind))),
              ("securable_full_name", .string(source.securableFullName)),
              ("via_group", .string(source.viaGroup)),
              ("granted_privilege", .string(source.grantedPrivilege)),
            ])
          })
      ),
    ])
  }

  static func check(_ response: Edgecat_Policy_V1_CheckResponse) -> JSONValue {
    .object([
      ("allowed", .bool(response.allowed)),
      ("reason", .string(response.reason)),
      ("missing_privileges", .strings(response.missingPrivileges)),
      ("revision", .integer(response.revision)),
      ("decision_id", .string(response.decisionID)),
    ])
  }

  static func decision(_ decision: Edgecat_Policy_V1_Decision) -> JSONValue {
    .object([
      ("decision_id", .string(decision.decisionID)),
      ("time", .string(decision.time)),
      ("principal", .string(decision.principal)),
      ("privilege", .string(decision.privilege)),
      ("securable", .string(decision.securable)),
      ("allowed", .bool(decision.allowed)),
      ("reason", .string(decision.reason)),
      ("caller", .string(decision.caller)),
      ("request_id", .string(decision.requestID)),
      ("revision", .integer(decision.revision)),
    ])
  }

  static func auditEvent(_ event: Edgecat_Audit_V1_AuditEvent) -> JSONValue {
    .object([
      ("event_id", .string(event.eventID)),
      ("time", .string(event.time)),
      ("service", .string(event.service)),
      ("action", .string(event.action)),
      ("principal", .string(event.principal)),
      ("securable", .string(event.securable)),
      ("parameters", .string(event.parameters)),
      ("result", .string(event.result)),
      ("request_id", .string(event.requestID)),
      ("peer", .string(event.peer)),
    ])
  }
}
