#if canImport(Glibc)
import Glibc
private let streamSocket = Int32(SOCK_STREAM.rawValue)
#elseif canImport(Darwin)
import Darwin
private let streamSocket = SOCK_STREAM
#endif

/// Loopback sockets for tests that need a port: one that listens and never answers, or one that refuses.
public enum Loopback {
    public struct Failure: Error, CustomStringConvertible { public let description = "cannot listen on loopback" }

    /// A socket listening on a free loopback port that never accepts: the kernel completes the handshake,
    /// then nothing. Returns (socket, port); the caller closes the socket.
    public static func silentListener() throws -> (fd: Int32, port: UInt16) { try open(listening: true) }

    /// A loopback port that refuses connections while the returned socket stays open: bound, never
    /// listening, so the kernel answers a connect with a reset. Closing a listener instead frees the port
    /// for any other test to take (a CI run once saw a parallel test's server there, not a refusal).
    public static func refusingPort() throws -> (fd: Int32, port: UInt16) { try open(listening: false) }

    private static func open(listening: Bool) throws -> (fd: Int32, port: UInt16) {
        let fd = socket(AF_INET, streamSocket, 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ready = withUnsafeMutablePointer(to: &address) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && (!listening || listen(fd, 16) == 0) && getsockname(fd, $0, &length) == 0
            }
        }
        guard ready else { close(fd); throw Failure() }
        return (fd, UInt16(bigEndian: address.sin_port))
    }
}
