import Cluster
import Foundation
import Glibc
import KafkaClient
import Synchronization

/// Kafka's rules that librdkafka's mock ignores, enforced on the wire between the clients and the mock:
/// a TCP proxy per mock broker that answers an `acks=all` produce to a topic whose replication factor is
/// below its min.insync.replicas with NOT_ENOUGH_REPLICAS (error 19), as Partition.scala does, and passes
/// everything else on. The mock has no per-topic produce error (its error stacks are per request type or
/// broker, counted), so the refusal is made here: the topic's partitions are taken out of the request, the
/// rest goes to the mock, and their error entries are added to its answer. Metadata and FindCoordinator
/// answers name the proxies, so every connection a client makes passes through them.
final class KafkaRulesProxy: @unchecked Sendable {
    struct Rules: Sendable {
        /// The brokers' min.insync.replicas, every topic's default.
        var minInsyncReplicas: Int32
        var replicationFactor: [String: Int32] = [:]
        var topicMinInsync: [String: Int32] = [:]
        /// Partitions answered NOT_ENOUGH_REPLICAS, as `topic/partition`.
        var refused: [String] = []
        /// Answers in a request version the proxy does not read (flexible): passed on, nothing enforced.
        var unread = 0

        /// The brokers, and those stopped (a killed broker leaves every ISR once its session expires).
        var brokers: Int32 = 3
        var down: Set<Int32> = []

        /// Partition.scala's check: fewer replicas in sync than min.insync.replicas. A topic's replicas are
        /// assigned round-robin from the partition's index (brokers 1…N), as Kafka's placement spreads them.
        func refuses(_ topic: String, partition: Int32) -> Bool {
            guard let factor = replicationFactor[topic] else { return false }
            let replicas = (0..<min(factor, brokers)).map { (partition + $0) % brokers + 1 }
            return Int32(replicas.filter { !down.contains($0) }.count) < (topicMinInsync[topic] ?? minInsyncReplicas)
        }
    }

    let rules: Mutex<Rules>
    /// The proxies' addresses, in the order of the mock's bootstrap servers.
    let bootstrapServers: String
    private let portMap: [Int32: Int32] // mock port → proxy port
    private let listeners: [(fd: Int32, upstream: Int32)]
    private let open = Mutex<Set<Int32>>([])
    private let closed = Atomic<Bool>(false)

    init(upstream: String, minInsyncReplicas: Int32) throws {
        rules = Mutex(Rules(minInsyncReplicas: minInsyncReplicas))
        var listeners: [(fd: Int32, upstream: Int32)] = []
        var map: [Int32: Int32] = [:]
        for entry in upstream.split(separator: ",") {
            guard let port = entry.split(separator: ":").last.flatMap({ Int32($0) }) else { continue }
            let (fd, own) = try Self.listen()
            listeners.append((fd, port))
            map[port] = own
        }
        self.listeners = listeners
        portMap = map
        rules.withLock { $0.brokers = Int32(listeners.count) }
        bootstrapServers = listeners.map { "127.0.0.1:\(map[$0.upstream]!)" }.joined(separator: ",")
        for listener in listeners {
            Thread.detachNewThread { [self] in accept(listener.fd, upstream: listener.upstream) }
        }
    }

    func close() {
        closed.store(true, ordering: .sequentiallyConsistent)
        for l in listeners { shutdown(l.fd, Int32(SHUT_RDWR)); Glibc.close(l.fd) }
        for fd in open.withLock({ $0 }) { shutdown(fd, Int32(SHUT_RDWR)) }
    }

    private static func listen() throws -> (Int32, Int32) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { p in
                bind(fd, p, length) == 0 && Glibc.listen(fd, 64) == 0 && getsockname(fd, p, &length) == 0
            }
        }
        guard fd >= 0, bound else { throw POSIXError(.EADDRNOTAVAIL) }
        return (fd, Int32(UInt16(bigEndian: address.sin_port)))
    }

    private static func connect(port: Int32) -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let ok = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        if !ok { Glibc.close(fd) }
        return ok ? fd : nil
    }

    private func accept(_ listener: Int32, upstream: Int32) {
        while !closed.load(ordering: .sequentiallyConsistent) {
            let client = Glibc.accept(listener, nil, nil)
            guard client >= 0 else { if errno == EINTR { continue } else { return } }
            // A stopped mock broker refuses the proxy: the client's connection closes, as a dead broker's would.
            guard let server = Self.connect(port: upstream) else { Glibc.close(client); continue }
            open.withLock { $0.formUnion([client, server]) }
            let connection = Connection()
            let finish = Atomic<Int>(0)
            let done: @Sendable () -> Void = { [self] in
                shutdown(client, Int32(SHUT_RDWR)); shutdown(server, Int32(SHUT_RDWR))
                if finish.add(1, ordering: .sequentiallyConsistent).newValue == 2 {
                    open.withLock { $0.subtract([client, server]) }
                    Glibc.close(client); Glibc.close(server)
                }
            }
            Thread.detachNewThread { [self] in
                while let frame = Self.readFrame(client), Self.write(request(frame, connection), to: server) {}
                done()
            }
            Thread.detachNewThread { [self] in
                while let frame = Self.readFrame(server), Self.write(response(frame, connection), to: client) {}
                done()
            }
        }
    }

    /// What a connection's requests asked, by correlation id, for reading their answers.
    final class Connection: Sendable {
        struct Asked: Sendable { var apiKey: Int16, version: Int16, refused: [(String, [Int32])] }
        let pending = Mutex<[Int32: Asked]>([:])
    }

    private func request(_ frame: [UInt8], _ connection: Connection) -> [UInt8] {
        var r = WireReader(frame)
        guard let key = r.int16(), let version = r.int16(), let correlation = r.int32() else { return frame }
        var asked = Connection.Asked(apiKey: key, version: version, refused: [])
        defer { connection.pending.withLock { $0[correlation] = asked } }
        if key == 0, version > 8 { rules.withLock { $0.unread += 1 } }
        // Produce v3–v8 (librdkafka 2.0.2 sends v7): header v1, transactional id, acks, timeout, topics.
        guard key == 0, (3...8).contains(version), r.string() != nil, r.string() != nil,
              let acks = r.int16(), acks == -1, r.int32() != nil else { return frame }
        let countAt = r.position
        guard let count = r.int32() else { return frame }
        var kept: [UInt8] = [], keptCount: Int32 = 0
        for _ in 0..<count {
            guard let name = r.string(), let partitions = r.int32() else { return frame }
            var refused: [Int32] = [], accepted: [UInt8] = [], acceptedCount: Int32 = 0
            for _ in 0..<partitions {
                let start = r.position
                guard let index = r.int32(), r.bytes() else { return frame }
                if rules.withLock({ $0.refuses(name ?? "", partition: index) }) {
                    refused.append(index)
                } else {
                    accepted += frame[start..<r.position]
                    acceptedCount += 1
                }
            }
            if !refused.isEmpty { asked.refused.append((name ?? "", refused)) }
            if acceptedCount > 0 {
                kept += WireWriter.string(name ?? "") + WireWriter.int32(acceptedCount) + accepted
                keptCount += 1
            }
        }
        guard !asked.refused.isEmpty else { return frame }
        rules.withLock { s in s.refused += asked.refused.flatMap { t in t.1.map { "\(t.0)/\($0)" } } }
        return Array(frame[..<countAt]) + WireWriter.int32(keptCount) + kept + frame[r.position...]
    }

    private func response(_ frame: [UInt8], _ connection: Connection) -> [UInt8] {
        var r = WireReader(frame)
        guard let correlation = r.int32(),
              let asked = connection.pending.withLock({ $0.removeValue(forKey: correlation) }) else { return frame }
        switch asked.apiKey {
        case 0 where !asked.refused.isEmpty: return produce(frame, asked)
        case 3: return metadata(frame, version: asked.version)
        case 10: return coordinator(frame, version: asked.version)
        default: return frame
        }
    }

    /// The mock's answer with an entry per refused topic: error 19, no offset.
    private func produce(_ frame: [UInt8], _ asked: Connection.Asked) -> [UInt8] {
        var r = WireReader(frame)
        _ = r.int32()
        guard let count = r.int32() else { return frame }
        let v = asked.version
        var added: [UInt8] = []
        for (topic, partitions) in asked.refused {
            added += WireWriter.string(topic) + WireWriter.int32(Int32(partitions.count))
            for index in partitions {
                added += WireWriter.int32(index) + WireWriter.int16(19) + WireWriter.int64(-1)
                if v >= 2 { added += WireWriter.int64(-1) }
                if v >= 5 { added += WireWriter.int64(-1) }
                if v >= 8 { added += WireWriter.int32(0) + WireWriter.int16(-1) }
            }
        }
        let end = v >= 1 ? frame.count - 4 : frame.count
        return Array(frame[..<4]) + WireWriter.int32(count + Int32(asked.refused.count)) + frame[8..<end] + added
            + frame[end...]
    }

    /// Metadata v0–v8 with each broker's port replaced by its proxy's.
    private func metadata(_ frame: [UInt8], version: Int16) -> [UInt8] {
        guard version <= 8 else { rules.withLock { $0.unread += 1 }; return frame }
        var r = WireReader(frame)
        _ = r.int32()
        if version >= 3 { _ = r.int32() }
        guard let count = r.int32() else { return frame }
        var out = Array(frame[..<r.position])
        for _ in 0..<count {
            let start = r.position
            guard r.int32() != nil, r.string() != nil else { return frame }
            let portAt = r.position
            guard let port = r.int32() else { return frame }
            if version >= 1 { guard r.string() != nil else { return frame } }
            var broker = Array(frame[start..<r.position])
            let at = portAt - start
            broker.replaceSubrange(at..<(at + 4), with: WireWriter.int32(portMap[port] ?? port))
            out += broker
        }
        return out + frame[r.position...]
    }

    /// FindCoordinator v0–v2: the coordinator's port replaced by its proxy's.
    private func coordinator(_ frame: [UInt8], version: Int16) -> [UInt8] {
        guard version <= 2 else { rules.withLock { $0.unread += 1 }; return frame }
        var r = WireReader(frame)
        _ = r.int32()
        if version >= 1 { _ = r.int32() }
        _ = r.int16()
        if version >= 1 { guard r.string() != nil else { return frame } }
        guard r.int32() != nil, r.string() != nil else { return frame }
        let portAt = r.position
        guard let port = r.int32() else { return frame }
        var out = frame
        out.replaceSubrange(portAt..<(portAt + 4), with: WireWriter.int32(portMap[port] ?? port))
        return out
    }

    private static func readFrame(_ fd: Int32) -> [UInt8]? {
        guard let head = read(fd, count: 4) else { return nil }
        let length = Int(Int32(bitPattern: UInt32(head[0]) << 24 | UInt32(head[1]) << 16 | UInt32(head[2]) << 8
                                   | UInt32(head[3])))
        guard length >= 0, length < 100_000_000 else { return nil }
        return read(fd, count: length)
    }

    private static func read(_ fd: Int32, count: Int) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: count)
        var got = 0
        while got < count {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + got, count - got, 0) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { return nil }
            got += n
        }
        return buffer
    }

    private static func write(_ payload: [UInt8], to fd: Int32) -> Bool {
        let frame = WireWriter.int32(Int32(payload.count)) + payload
        var sent = 0
        while sent < frame.count {
            let n = frame.withUnsafeBytes {
                send(fd, $0.baseAddress! + sent, frame.count - sent, Int32(MSG_NOSIGNAL))
            }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { return false }
            sent += n
        }
        return true
    }
}

/// Kafka's big-endian, non-flexible encodings; nil past the end.
struct WireReader {
    let data: [UInt8]
    var position = 0
    init(_ data: [UInt8]) { self.data = data }

    mutating func integer(_ size: Int) -> UInt64? {
        guard position + size <= data.count else { return nil }
        defer { position += size }
        return data[position..<position + size].reduce(0) { $0 << 8 | UInt64($1) }
    }
    mutating func int16() -> Int16? { integer(2).map { Int16(truncatingIfNeeded: $0) } }
    mutating func int32() -> Int32? { integer(4).map { Int32(truncatingIfNeeded: $0) } }
    /// A nullable string: `.some(nil)` for null, nil when it runs past the end.
    mutating func string() -> String?? {
        guard let length = int16() else { return nil }
        guard length >= 0 else { return .some(nil) }
        guard position + Int(length) <= data.count else { return nil }
        defer { position += Int(length) }
        return .some(String(decoding: data[position..<position + Int(length)], as: UTF8.self))
    }
    /// Skips nullable bytes; false when they run past the end.
    mutating func bytes() -> Bool {
        guard let length = int32() else { return false }
        guard length > 0 else { return true }
        guard position + Int(length) <= data.count else { return false }
        position += Int(length)
        return true
    }
}

enum WireWriter {
    static func int16(_ v: Int16) -> [UInt8] { withUnsafeBytes(of: v.bigEndian, Array.init) }
    static func int32(_ v: Int32) -> [UInt8] { withUnsafeBytes(of: v.bigEndian, Array.init) }
    static func int64(_ v: Int64) -> [UInt8] { withUnsafeBytes(of: v.bigEndian, Array.init) }
    static func string(_ s: String) -> [UInt8] { int16(Int16(s.utf8.count)) + Array(s.utf8) }
}

/// A cluster whose clients reach it through a KafkaRulesProxy: the compose fake's data plane, with the
/// min.insync.replicas of docker-compose.yml's brokers. Creation refuses a replication factor above the
/// live brokers (INVALID_REPLICATION_FACTOR, as the controller does) and tells the proxy each topic's factor.
final class RuledCluster: Cluster, @unchecked Sendable {
    let inner: any Cluster
    let proxy: KafkaRulesProxy

    init(_ inner: any Cluster, minInsyncReplicas: Int32) throws {
        self.inner = inner
        proxy = try KafkaRulesProxy(upstream: inner.bootstrapServers, minInsyncReplicas: minInsyncReplicas)
    }

    /// With the min.insync.replicas docker-compose.yml gives its brokers.
    convenience init(_ inner: any Cluster) throws {
        try self.init(inner, minInsyncReplicas: try ComposeFile.brokersMinInsyncReplicas())
    }

    var refused: [String] { proxy.rules.withLock { $0.refused } }

    var backend: String { inner.backend }
    var capabilities: Set<ClusterCapability> { inner.capabilities }
    var bootstrapServers: String { proxy.bootstrapServers }
    var clientConfig: KafkaConfig { inner.clientConfig }
    func metadata(topic: String?) async throws -> ClusterMetadata { try await inner.metadata(topic: topic) }
    func watermarks(topic: String, partition: Int32) async throws -> (low: Int64, high: Int64) {
        try await inner.watermarks(topic: topic, partition: partition)
    }
    func createTopic(_ spec: TopicSpec) async throws {
        let live = try await inner.liveBrokers().count
        guard Int(spec.replicationFactor) <= live else {
            throw KafkaError(code: 38, detail: "Replication factor: \(spec.replicationFactor) larger than available "
                             + "brokers: \(live).")
        }
        // The mock has no topic configs; min.insync.replicas is the one rule kept here.
        var configs = spec.configs
        let minInsync = configs.removeValue(forKey: "min.insync.replicas").flatMap { Int32($0) }
        var plain = spec
        plain.configs = configs
        try await inner.createTopic(plain)
        proxy.rules.withLock { r in
            r.replicationFactor[spec.name] = spec.replicationFactor
            if let minInsync { r.topicMinInsync[spec.name] = minInsync }
        }
    }
    func brokerAddress(_ id: Int32) async throws -> (host: String, port: Int)? { try await inner.brokerAddress(id) }
    func configuredBrokers() async throws -> [Int32] { try await inner.configuredBrokers() }
    func liveBrokers() async throws -> [Int32] { try await inner.liveBrokers() }
    func killBroker(_ id: Int32) async throws {
        try await inner.killBroker(id)
        _ = proxy.rules.withLock { $0.down.insert(id) }
    }
    func restartBroker(_ id: Int32) async throws {
        try await inner.restartBroker(id)
        _ = proxy.rules.withLock { $0.down.remove(id) }
    }
    func restoreBrokers(_ ids: [Int32]) async throws {
        try await inner.restoreBrokers(ids)
        proxy.rules.withLock { $0.down.subtract(ids) }
    }
    func faultsInPlace() async throws -> [String] { try await inner.faultsInPlace() }
    func deleteTopics(_ names: [String]) async throws { try await inner.deleteTopics(names) }
    func setLatency(broker: Int32, _ latency: Duration) async throws {
        try await inner.setLatency(broker: broker, latency)
    }
    func injectErrors(_ request: KafkaRequest, _ errorNames: [String]) async throws {
        try await inner.injectErrors(request, errorNames)
    }
    func delayResponses(_ request: KafkaRequest, count: Int, by delay: Duration) async throws {
        try await inner.delayResponses(request, count: count, by: delay)
    }
    func moveLeader(topic: String, partition: Int32, to broker: Int32) async throws {
        try await inner.moveLeader(topic: topic, partition: partition, to: broker)
    }
    func reassign(_ partitions: [(topic: String, partition: Int32, replicas: [Int32])]) async throws {
        try await inner.reassign(partitions)
    }
    func electPreferredLeaders(_ partitions: [(topic: String, partition: Int32)]) async throws {
        try await inner.electPreferredLeaders(partitions)
    }
    var failoverDeadline: Duration { inner.failoverDeadline }
    var minInsyncReplicas: Int32 { proxy.rules.withLock { $0.minInsyncReplicas } }
    func scoped(_ config: KafkaConfig) -> KafkaConfig { inner.scoped(config) }
    func registerCoordinatorKey(_ key: String, type: CoordinatorType) { inner.registerCoordinatorKey(key, type: type) }
    func shutdown() async {
        proxy.close()
        await inner.shutdown()
    }
}

/// What docker-compose.yml sets, read as text (the tests have no YAML parser).
enum ComposeFile {
    static var text: String {
        get throws {
            try String(contentsOf: AcceptanceSuite.packageRoot.appendingPathComponent("docker-compose.yml"),
                       encoding: .utf8)
        }
    }

    /// The brokers' min.insync.replicas: the largest KAFKA_MIN_INSYNC_REPLICAS in the file, Kafka's 1 without one.
    static func brokersMinInsyncReplicas() throws -> Int32 {
        let values = try text.split(separator: "\n").compactMap { line -> Int32? in
            guard let match = line.firstMatch(of: /^\s*KAFKA_MIN_INSYNC_REPLICAS:\s*"?(\d+)"?/) else { return nil }
            return Int32(match.1)
        }
        return values.max() ?? 1
    }
}
