import EdgecatProto
import EdgecatRPC
import EdgecatServiceKit
import Glibc
import Testing

@Suite("Downstream client")
struct DownstreamClientTests {
  /// Binds a TCP socket to a free loopback port without listening on it, and returns the
  /// socket and its port. While the socket is open, connections to the port are refused and no
  /// other socket can take it. A port that was only free a moment ago can be taken, even as the
  /// source port of a loopback connection to itself.
  static func boundPort() throws -> (descriptor: Int32, port: Int) {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    #expect(descriptor >= 0)
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
      pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
        bind(descriptor, socketAddress, length) == 0
          && getsockname(descriptor, socketAddress, &length) == 0
      }
    }
    #expect(bound)
    return (descriptor, Int(UInt16(bigEndian: address.sin_port)))
  }

  @Test("refused connection keeps its cause")
  func refusedConnection() async throws {
    let (descriptor, port) = try Self.boundPort()
    defer { close(descriptor) }
    let endpoint = Endpoint(host: "127.0.0.1", port: port)
    let client = DownstreamClient.catalog(endpoint: endpoint, serviceToken: "unused")
    defer { client.close() }
    let error = await #expect(throws: RPCError.self) {
      let _: Edgecat_Catalog_V1_CatalogInfo = try await client.call(
        "GetCatalog", Edgecat_Catalog_V1_GetCatalogRequest(), onBehalfOf: nil,
        requestID: "downstream-test")
    }
    #expect(error?.code == .unavailable)
    #expect(error?.message.contains("did not answer in time") == false)
    #expect(error?.message.contains("Connection refused") == true)
    #expect(error?.message.contains("127.0.0.1:\(endpoint.port)") == true)
  }
}
