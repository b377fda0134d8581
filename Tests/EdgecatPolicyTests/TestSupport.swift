import EdgecatCore
import EdgecatPolicy
import EdgecatTestSupport
import Glibc
import Synchronization
import Testing

/// Returns the bytes of the file at `path`, or an empty array when it cannot be read.
func readFile(_ path: String) -> [UInt8] {
  guard let file = fopen(path, "rb") else { return [] }
  defer { fclose(file) }
  var bytes: [UInt8] = []
  var buffer = [UInt8](repeating: 0, count: 65536)
  while true {
    let count = fread(&buffer, 1, buffer.count, file)
    if count == 0 { break }
    bytes.append(contentsOf: buffer[0..<count])
  }
  return bytes
}

/// Returns true when `needle` occurs in `haystack`.
func contains(_ haystack: [UInt8], _ needle: String) -> Bool {
  let pattern = Array(needle.utf8)
  guard !pattern.isEmpty, haystack.count >= pattern.count else { return false }
  for start in 0...(haystack.count - pattern.count)
  where haystack[start] == pattern[0] && Array(haystack[start..<start + pattern.count]) == pattern {
    return true
  }
  return false
}

/// A clock that tests move by hand. Thread-safe.
final class TestClock: Sendable {
  private let now = Mutex<Double>(1_800_000_000)

  var time: Double { now.withLock { $0 } }

  func advance(by seconds: Double) { now.withLock { $0 += seconds } }

  var function: @Sendable () -> Double { { [self] in self.time } }
}

let adminName = "admin@example.com"
let admin = RequestContext(principal: adminName, requestID: "test")

/// Returns the context of a request made by `principal`.
func acting(_ principal: String) -> RequestContext {
  RequestContext(principal: principal, requestID: "test-\(principal)")
}

/// Opens a bootstrapped engine in `directory`, with the `catalog` service principal.
func openEngine(
  _ directory: TemporaryDirectory, clock: TestClock = TestClock(), changeLogCapacity: Int = 10_000,
  decisionLog: DecisionLogOptions = DecisionLogOptions()
) async throws -> PolicyEngine {
  let engine = try await PolicyEngine.open(
    path: directory.file("policy.db"),
    options: PolicyOptions(
      changeLogCapacity: changeLogCapacity, decisionLog: decisionLog, clock: clock.function))
  _ = try await engine.bootstrap(admin: adminName, services: ["catalog"])
  return engine
}

extension PolicyEngine {
  func register(
    _ type: SecurableType, _ name: String, owner: String = adminName,
    function: FunctionDefinition? = nil, columns: [String] = []
  ) async throws {
    try await registerSecurable(
      SecurableRegistration(
        type: type, fullName: name, owner: owner, function: function, columns: columns),
      context: admin)
  }

  func user(_ name: String, groups: [String] = []) async throws {
    try await createPrincipal(name, kind: .user, context: admin)
    for group in groups { try await addMember(name, to: group, context: admin) }
  }

  func group(_ name: String) async throws {
    try await createPrincipal(name, kind: .group, context: admin)
  }

  func allows(_ principal: String, _ privilege: Privilege, _ securable: String) throws -> Bool {
    try check(CheckRequest(principal: principal, privilege: privilege, securable: securable))
      .allowed
  }
}

/// Polls `condition` every 10 ms and records an issue when it is still false after 5 s.
func waitUntil(_ condition: () async throws -> Bool) async throws {
  for _ in 0..<500 {
    if try await condition() { return }
    try await Task.sleep(for: .milliseconds(10))
  }
  Issue.record("condition not met within 5 s")
}
