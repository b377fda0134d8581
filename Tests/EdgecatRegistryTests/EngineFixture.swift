import EdgecatCore
import EdgecatCrypto
import EdgecatProto
import EdgecatRegistry
import Glibc
import Synchronization

/// A registry engine over a fresh database and blob folder in a temporary folder.
final class EngineFixture: Sendable {
  let folder: String
  let engine: RegistryEngine

  var blobFolder: String { folder + "/blobs" }

  static func start(
    maximumArtifactBytes: Int64 = 1 << 20,
    clock: @escaping @Sendable () -> Double = { wallClockSeconds() }
  ) async throws -> EngineFixture {
    var template = Array("/tmp/edgecat-registry-test-XXXXXX".utf8CString)
    guard mkdtemp(&template) != nil else { throw ServiceError(code: .internal, message: "mkdtemp") }
    let folder = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    let engine = try await RegistryEngine.open(
      path: folder + "/registry.db", blobPath: folder + "/blobs",
      maximumArtifactBytes: maximumArtifactBytes, clock: clock)
    return EngineFixture(folder: folder, engine: engine)
  }

  private init(folder: String, engine: RegistryEngine) {
    self.folder = folder
    self.engine = engine
  }

  func stop() async {
    await engine.close()
    _ = system("rm -rf '\(folder)'")
  }

  /// Returns an audit event of `action` by alice.
  func audit(_ action: String = "Test") -> AuditRecord { Self.audit(action) }

  /// Returns an audit event of `action` by alice.
  static func audit(_ action: String = "Test") -> AuditRecord {
    AuditRecord(
      id: "evt-\(action)-\(auditCounter.add(1, ordering: .relaxed).newValue)",
      time: wallClockSeconds(), action: action,
      principal: "alice@example.com", securable: "main.ml.defects", parameters: "{}",
      result: "OK", requestID: "test", peer: "127.0.0.1:1")
  }

  /// Creates a version of `model` with a one-input, one-output signature.
  @discardableResult
  func createVersion(_ model: String = "main.ml.defects", tables: [String] = [])
    async throws(ServiceError) -> ModelVersionRecord
  {
    try await engine.createVersion(
      of: model, Self.versionRequest(tables: tables), createdBy: "alice@example.com",
      audit: audit("CreateModelVersion"))
  }

  /// Creates a version of `model` and uploads a small artifact to it, so that it is READY.
  @discardableResult
  func createReadyVersion(_ model: String = "main.ml.defects") async throws(ServiceError)
    -> ModelVersionRecord
  {
    let created = try await createVersion(model)
    return try await upload(artifactBytes(100), to: created.version, model: model)
  }

  /// Uploads `bytes` to a version, declaring their real hash and size unless others are given.
  @discardableResult
  func upload(
    _ bytes: [UInt8], to version: Int64, model: String = "main.ml.defects",
    declaredSHA256: String? = nil, declaredSize: Int64? = nil, chunkSize: Int = 1000
  ) async throws(ServiceError) -> ModelVersionRecord {
    let upload = try await engine.beginUpload(
      model, version, sha256: declaredSHA256 ?? SHA256.hexDigest(bytes),
      size: declaredSize ?? Int64(bytes.count), audit: audit("UploadArtifact"))
    var offset = 0
    while offset < bytes.count {
      let end = min(bytes.count, offset + chunkSize)
      try await upload.append(Array(bytes[offset..<end]))
      offset = end
    }
    return try await upload.finish()
  }

  /// Lists the files in the blob folder and its tmp folder, sorted.
  func blobFiles() -> [String] { Self.files(in: blobFolder) }

  /// Lists the files in `folder` and its tmp folder, sorted.
  static func files(in folder: String) -> [String] {
    var names: [String] = []
    for path in [folder, folder + "/tmp"] {
      guard let directory = opendir(path) else { continue }
      while let entry = readdir(directory) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
          String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        if name != "." && name != ".." && name != "tmp" { names.append(name) }
      }
      closedir(directory)
    }
    return names.sorted()
  }

  static func versionRequest(tables: [String] = []) -> CreateModelVersionRequest {
    var input = Edgecat_Registry_V1_TensorSpec()
    input.name = "image"
    input.type = "float32"
    input.shape = [-1, 3, 224, 224]
    var output = Edgecat_Registry_V1_TensorSpec()
    output.name = "defect"
    output.type = "float32"
    output.shape = [-1, 2]
    var signature = Edgecat_Registry_V1_ModelSignature()
    signature.inputs = [input]
    signature.outputs = [output]
    var request = CreateModelVersionRequest()
    request.source = "runs:/abc123/model"
    request.trainingTables = tables
    request.signature = signature
    return request
  }
}

/// Numbers that make the tests' audit event ids unique.
private let auditCounter = Atomic<UInt64>(0)

/// Bytes 0, 1, 2, ... wrapping at 251, so that offsets are visible in the content.
func artifactBytes(_ count: Int) -> [UInt8] {
  (0..<count).map { UInt8($0 % 251) }
}
