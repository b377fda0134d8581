import EdgecatRPC
import Synchronization

/// The token parsed from the last `authorization` header, so that a server whose clients send
/// the same header on call after call parses it once. Thread-safe.
public final class BearerTokenCache: Sendable {
  private let last = Mutex<(header: String, token: String)?>(nil)

  public init() {}

  /// Returns the bearer token of `metadata`, as `EdgecatMetadata.bearerToken` does.
  public func token(_ metadata: Metadata) -> String? {
    guard let header = metadata["authorization"] else { return nil }
    // Equal strings that share storage, as the transport's reused header strings do, compare
    // without reading their bytes.
    if let cached = last.withLock({ $0 }), cached.header == header { return cached.token }
    guard let token = EdgecatMetadata.bearerToken(header: header) else { return nil }
    last.withLock { $0 = (header, token) }
    return token
  }
}
