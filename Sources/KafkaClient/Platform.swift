#if canImport(Glibc)
    import Glibc
    private let streamSocket = Int32(SOCK_STREAM.rawValue)
#elseif canImport(Darwin)
    import Darwin
    private let streamSocket = SOCK_STREAM
#endif

// The only file that calls the C library's socket API: everything platform-specific stays here.

/// Plain TCP on a loopback or named host: the probes that look at a broker from outside the client.
public enum TCP {
    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        case unresolved(String)
        case refused(String)
        case timedOut
        case closed

        public var description: String {
            switch self {
            case .unresolved(let host): "cannot resolve \(host)"
            case .refused(let why): "connection refused (\(why))"
            case .timedOut: "no answer in time"
            case .closed: "the connection was closed"
            }
        }
    }

    /// Opens and closes a connection without waiting for it (wakes a listener's poll loop).
    static func touch(loopbackPort port: UInt16) {
        let fd = socket(AF_INET, streamSocket, 0)
        guard fd >= 0 else { return }
        defer { close(fd) }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL, 0) | O_NONBLOCK)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
    }

    /// Connects, sends `request`, and reads until `complete` says the bytes so far are a whole
    /// answer, all within `timeoutMs`. Blocking: call it through `Blocking.run`.
    static func exchange(
        host: String, port: Int, request: [UInt8], timeoutMs: Int,
        complete: ([UInt8]) -> Bool
    ) throws(Failure) -> [UInt8] {
        let deadline = monotonicMs() + timeoutMs
        let fd = try connected(host: host, port: port, deadline: deadline)
        defer { close(fd) }
        return try exchange(fd, request: request, deadline: deadline, complete: complete)
    }

    /// A connected non-blocking socket to `host` — each of its addresses in turn, as librdkafka tries
    /// them — or why not by `deadline` (a connect that neither succeeds nor fails in time is `.timedOut`).
    /// Blocking.
    static func connected(host: String, port: Int, deadline: Int) throws(Failure) -> Int32 {
        var hints = addrinfo()
        hints.ai_socktype = streamSocket
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &list) == 0, list != nil else { throw .unresolved(host) }
        defer { freeaddrinfo(list) }
        return try connectFirst(list, until: deadline)
    }

    /// Sends `request` on a connected socket and reads until `complete`, by `deadline`. Blocking.
    static func exchange(
        _ fd: Int32, request: [UInt8], deadline: Int,
        complete: ([UInt8]) -> Bool
    ) throws(Failure) -> [UInt8] {
        var sent = 0
        while sent < request.count {
            let n = request.withUnsafeBytes { send(fd, $0.baseAddress! + sent, request.count - sent, 0) }
            if n > 0 { sent += n; continue }
            guard errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR else { throw .closed }
            try wait(fd, for: Int16(POLLOUT), until: deadline)
        }
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !complete(answer) {
            try wait(fd, for: Int16(POLLIN), until: deadline)
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
            if n == 0 { throw .closed }
            if n < 0 {
                guard errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR else { throw .closed }
                continue
            }
            answer += buffer[0..<n]
        }
        return answer
    }

    /// The first address of the list that takes a connection, as librdkafka tries them: `localhost` is
    /// often ::1 first, and an engine that publishes ports on IPv4 only refuses it.
    static func connectFirst(_ list: UnsafeMutablePointer<addrinfo>?, until deadline: Int) throws(Failure) -> Int32 {
        var failure = Failure.refused("no address")
        var next = list
        while let candidate = next {
            next = candidate.pointee.ai_next
            let fd = socket(candidate.pointee.ai_family, streamSocket, 0)
            guard fd >= 0 else { failure = .refused("no socket"); continue }
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL, 0) | O_NONBLOCK)
            if connect(fd, candidate.pointee.ai_addr, candidate.pointee.ai_addrlen) == 0 { return fd }
            do throws(Failure) {
                guard errno == EINPROGRESS else { throw Failure.refused(String(cString: strerror(errno))) }
                try wait(fd, for: Int16(POLLOUT), until: deadline)
                var error: Int32 = 0
                var length = socklen_t(MemoryLayout<Int32>.size)
                getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
                guard error == 0 else { throw Failure.refused(String(cString: strerror(error))) }
                return fd
            } catch {
                failure = error
                close(fd)
            }
        }
        throw failure
    }

    private static func wait(_ fd: Int32, for events: Int16, until deadline: Int) throws(Failure) {
        while true {
            let left = deadline - monotonicMs()
            guard left > 0 else { throw .timedOut }
            var entry = pollfd(fd: fd, events: events, revents: 0)
            let n = poll(&entry, 1, Int32(min(left, Int(Int32.max))))
            if n > 0 { return }
            if n < 0, errno != EINTR { throw .closed }
        }
    }

    static func monotonicMs() -> Int {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return ts.tv_sec * 1000 + ts.tv_nsec / 1_000_000
    }
}
