import CLinux
import Glibc

/// A `HOST:PORT` endpoint, such as `127.0.0.1:7401`, `localhost:0` or `[::1]:7401`.
public struct Endpoint: Sendable, Hashable, CustomStringConvertible {
  public var host: String
  public var port: Int

  public init(host: String, port: Int) {
    self.host = host
    self.port = port
  }

  /// Parses `HOST:PORT`; IPv6 hosts go in brackets. Returns nil when either part is missing or
  /// the port is not 0 to 65535.
  public init?(parsing text: String) {
    guard let colon = text.lastIndex(of: ":") else { return nil }
    var host = String(text[..<colon])
    guard let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
      return nil
    }
    if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
    guard !host.isEmpty else { return nil }
    self.init(host: host, port: port)
  }

  public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// Socket calls over Glibc, each wrapped once; failures throw an `RPCError` naming the call.
enum Socket {
  /// Resolves an endpoint to its first address with getaddrinfo.
  static func resolve(_ endpoint: Endpoint) throws -> (storage: sockaddr_storage, length: socklen_t)
  {
    var hints = addrinfo()
    hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
    hints.ai_flags = AI_NUMERICSERV
    var result: UnsafeMutablePointer<addrinfo>?
    let status = getaddrinfo(endpoint.host, String(endpoint.port), &hints, &result)
    guard status == 0, let first = result else {
      let reason = status == 0 ? "no address" : String(cString: gai_strerror(status))
      throw RPCError(.unavailable, "cannot resolve \(endpoint): \(reason)")
    }
    defer { freeaddrinfo(result) }
    var storage = sockaddr_storage()
    withUnsafeMutableBytes(of: &storage) { raw in
      raw.copyMemory(
        from: UnsafeRawBufferPointer(
          start: first.pointee.ai_addr,
          count: Int(first.pointee.ai_addrlen)))
    }
    return (storage, first.pointee.ai_addrlen)
  }

  /// Opens a non-blocking listening socket and returns it with the port it is bound to.
  static func listen(on endpoint: Endpoint, backlog: Int32 = 1024) throws -> (fd: Int32, port: Int)
  {
    var (storage, length) = try resolve(endpoint)
    let fd = socket(
      Int32(storage.ss_family),
      Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { throw systemError("socket", endpoint) }
    var one: Int32 = 1
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
    let bound = withUnsafePointer(to: &storage) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
    }
    guard bound == 0 else {
      let error = bindError(endpoint)
      close(fd)
      throw error
    }
    guard Glibc.listen(fd, backlog) == 0 else {
      let error = systemError("listen", endpoint)
      close(fd)
      throw error
    }
    return (fd, localPort(fd))
  }

  /// Starts a non-blocking connect; the socket is writable once it completes or failed.
  static func connect(to endpoint: Endpoint) throws -> Int32 {
    var (storage, length) = try resolve(endpoint)
    let fd = socket(
      Int32(storage.ss_family),
      Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { throw systemError("socket", endpoint) }
    setNoDelay(fd)
    let result = withUnsafePointer(to: &storage) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, length) }
    }
    if result != 0 && errno != EINPROGRESS {
      let error = systemError("connect", endpoint)
      close(fd)
      throw error
    }
    return fd
  }

  /// Returns the pending error of a socket whose non-blocking connect finished, 0 on success.
  static func pendingError(_ fd: Int32) -> Int32 {
    var value: Int32 = 0
    var length = socklen_t(MemoryLayout<Int32>.size)
    getsockopt(fd, SOL_SOCKET, SO_ERROR, &value, &length)
    return value
  }

  static func setNoDelay(_ fd: Int32) {
    var one: Int32 = 1
    setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
  }

  static func localPort(_ fd: Int32) -> Int {
    var storage = sockaddr_storage()
    var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
    _ = withUnsafeMutablePointer(to: &storage) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    return port(of: storage)
  }

  /// Returns `HOST:PORT` of the peer of a connected socket.
  static func peerName(_ fd: Int32) -> String {
    var storage = sockaddr_storage()
    var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
    _ = withUnsafeMutablePointer(to: &storage) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(fd, $0, &length) }
    }
    var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
    let status = withUnsafePointer(to: &storage) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        getnameinfo($0, length, &host, socklen_t(host.count), nil, 0, NI_NUMERICHOST)
      }
    }
    guard status == 0 else { return "unknown" }
    let name = String(cString: host)
    let endpoint = Endpoint(host: name, port: port(of: storage))
    return endpoint.description
  }

  private static func port(of storage: sockaddr_storage) -> Int {
    var copy = storage
    switch Int32(storage.ss_family) {
    case AF_INET:
      return withUnsafePointer(to: &copy) {
        $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
          Int(UInt16(bigEndian: $0.pointee.sin_port))
        }
      }
    case AF_INET6:
      return withUnsafePointer(to: &copy) {
        $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
          Int(UInt16(bigEndian: $0.pointee.sin6_port))
        }
      }
    default:
      return 0
    }
  }

  /// Returns the error of a failed `bind`, with what to change for the usual causes.
  static func bindError(_ endpoint: Endpoint) -> RPCError {
    let code = errno
    let fix: String
    switch code {
    case EADDRINUSE:
      fix = "; another process listens on that port, so stop it or choose another port"
    case EACCES:
      fix = "; ports below 1024 need privileges, so choose a port from 1024 up"
    case EADDRNOTAVAIL:
      fix = "; no interface of this host has that address, so use 127.0.0.1 or one of its own"
    default:
      fix = ""
    }
    return RPCError(
      .unavailable, "bind for \(endpoint) failed: \(String(cString: strerror(code)))" + fix)
  }

  static func systemError(_ call: String, _ endpoint: Endpoint) -> RPCError {
    let code = errno
    return RPCError(
      .unavailable, "\(call) for \(endpoint) failed: \(String(cString: strerror(code)))")
  }
}
