import KafkaClient
import Synchronization

/// The default backend: librdkafka's mock cluster, in-process. It is honest about client
/// behaviour but models no replication, isolation or admin API, so it declares only what it does.
/// It plays the controller: killing a broker moves its partition leaderships to live replicas and
/// its coordinators to a live broker, as real Kafka would.
public final class EmbeddedCluster: Cluster, @unchecked Sendable {
    public let backend = "embedded"
    public let capabilities: Set<ClusterCapability> = [
        .brokerFaults, .latency, .errorInjection, .leaderMoves, .consumerGroups, .transactions,
    ]
    public var bootstrapServers: String { mock.bootstrapServers }
    public let clientConfig = KafkaConfig()
    public let brokerCount: Int

    private let mock: MockCluster
    private let metadataClient: Producer
    private struct State {
        var down: Set<Int32> = []
        var coordinatorKeys: Set<String> = []  // "type:key"
    }
    private let state = Mutex(State())
    /// Kafka has one controller: a topic created while a broker is being killed must see it down, or a
    /// partition stays led by it (KAF-10's mirror creates its copy while the scenario kills a target broker).
    private let controller = OneAtATime()

    public init(brokers: Int = 3) throws {
        mock = try MockCluster(brokers: brokers)
        brokerCount = brokers
        metadataClient = try Producer(
            config: KafkaConfig([
                "bootstrap.servers": mock.bootstrapServers,
                "client.id": "kafka-bdd-controller",
            ]))
    }

    public func metadata(topic: String?) async throws -> ClusterMetadata {
        try await metadataClient.metadata(topic: topic)
    }

    public func watermarks(topic: String, partition: Int32) async throws -> (low: Int64, high: Int64) {
        try await metadataClient.watermarks(topic: topic, partition: partition)
    }

    public func createTopic(_ spec: TopicSpec) async throws {
        if !spec.configs.isEmpty {
            throw Unsupported(
                capability: .topicConfigs, backend: backend,
                hint:
                    "create \(spec.name) without \(spec.configs.keys.sorted().joined(separator: ", ")) or run with "
                    + "--cluster compose"
            )
        }
        guard spec.replicationFactor <= Int32(brokerCount) else {
            throw KafkaError(
                code: 38,
                detail: "replication factor \(spec.replicationFactor) is larger than the "
                    + "\(brokerCount) broker\(brokerCount == 1 ? "" : "s")")
        }
        try await controller.run {
            try await mock.createTopic(
                spec.name, partitions: spec.partitions, replicationFactor: spec.replicationFactor)
            // The mock picks each leader at random; Kafka's controller spreads preferred leaders round-robin,
            // over the live brokers.
            let md = try await metadata(topic: spec.name)
            let down = state.withLock { $0.down }
            for p in md.topic(spec.name)?.partitions ?? [] where !p.replicas.isEmpty {
                let preferred = p.replicas[Int(p.id) % p.replicas.count]
                let live = p.replicas.filter { !down.contains($0) }
                let leader = live.contains(preferred) ? preferred : live.isEmpty ? nil : live[Int(p.id) % live.count]
                if let leader { try await mock.setLeader(topic: spec.name, partition: p.id, broker: leader) }
            }
            _ = try await metadata(topic: spec.name)  // so that this client's own requests go to the new leaders
        }
    }

    /// The mock's listeners, in broker order, whatever the metadata says.
    public func brokerAddress(_ id: Int32) async throws -> (host: String, port: Int)? {
        let entries = mock.bootstrapServers.split(separator: ",")
        guard id >= 1, Int(id) <= entries.count, let colon = entries[Int(id) - 1].lastIndex(of: ":"),
            let port = Int(entries[Int(id) - 1][entries[Int(id) - 1].index(after: colon)...])
        else { return nil }
        return (String(entries[Int(id) - 1][..<colon]), port)
    }

    /// Every broker started, killed or not: a killed broker's id stays in the mock's replica lists.
    public func configuredBrokers() async throws -> [Int32] { Array(1...Int32(brokerCount)) }

    public func liveBrokers() async throws -> [Int32] {
        let down = state.withLock { $0.down }
        return (1...Int32(brokerCount)).filter { !down.contains($0) }
    }

    private func checkBroker(_ id: Int32) throws {
        guard (1...Int32(brokerCount)).contains(id) else {
            throw NoSuchBroker(
                "there is no broker \(id); the embedded cluster has brokers 1–\(brokerCount)")
        }
    }

    public func killBroker(_ id: Int32) async throws {
        try checkBroker(id)
        try await controller.run { try await kill(id) }
    }

    private func kill(_ id: Int32) async throws {
        let md = try await metadata(topic: nil)
        try await mock.setDown(id)
        let down = state.withLock { s in
            s.down.insert(id)
            return s.down
        }
        try await moveAway(from: id, in: md, down: down)
    }

    /// The controller's part: leaderships of `id` go to the first live replica, coordinators to a live broker.
    private func moveAway(from id: Int32, in md: ClusterMetadata, down: Set<Int32>) async throws {
        for topic in md.topics where !topic.name.hasPrefix("__") {
            for p in topic.partitions where p.leader == id {
                if let next = p.replicas.first(where: { !down.contains($0) }) {
                    try await mock.setLeader(topic: topic.name, partition: p.id, broker: next)
                }
            }
        }
        if let live = (1...Int32(brokerCount)).first(where: { !down.contains($0) }) {
            for entry in state.withLock({ $0.coordinatorKeys }) {
                let parts = entry.split(separator: ":", maxSplits: 1).map(String.init)
                try await mock.setCoordinator(type: parts[0], key: parts[1], broker: live)
            }
        }
    }

    /// Controlled shutdown, as Kafka's controller runs it: the broker's leaderships and coordinators move to
    /// live replicas while it still serves, then it stops.
    public func stopBroker(_ id: Int32) async throws {
        try checkBroker(id)
        try await controller.run {
            let md = try await metadata(topic: nil)
            try await moveAway(from: id, in: md, down: state.withLock { $0.down.union([id]) })
            // A controlled shutdown's broker serves on while its leaderships move, answering its clients'
            // fetches and produces with NOT_LEADER: that, not a dead connection, sends them to the new leaders
            // (a librdkafka consumer fetching from a dead broker waits for it to return). One fetch wait and one
            // fetch error backoff (500 ms each, librdkafka's defaults) of serving so, then it stops.
            try await Task.sleep(for: .seconds(1))
            try await mock.setDown(id)
            _ = state.withLock { $0.down.insert(id) }
        }
    }

    public func restartBroker(_ id: Int32) async throws {
        try checkBroker(id)
        try await controller.run {
            try await mock.setUp(id)
            _ = state.withLock { $0.down.remove(id) }
        }
    }

    public func setLatency(broker: Int32, _ latency: Duration) async throws {
        try checkBroker(broker)
        try await mock.setRoundTripTime(broker, milliseconds: latency.milliseconds)
    }

    public func injectErrors(_ request: KafkaRequest, _ errorNames: [String]) async throws {
        let codes = try errorNames.map { name in
            guard let code = KafkaError.code(named: name) else {
                throw KafkaError.invalidArgument(
                    "unknown Kafka error name \(name) (e.g. NOT_LEADER_FOR_PARTITION, REQUEST_TIMED_OUT)")
            }
            return code
        }
        mock.pushRequestErrors(apiKey: request.rawValue, errors: codes)
    }

    public func delayResponses(_ request: KafkaRequest, count: Int, by delay: Duration) async throws {
        for broker in try await liveBrokers() {
            try await mock.delayResponses(
                broker: broker, apiKey: request.rawValue, count: count,
                milliseconds: delay.milliseconds)
        }
    }

    public func moveLeader(topic: String, partition: Int32, to broker: Int32) async throws {
        try checkBroker(broker)
        try await controller.run { try await move(topic: topic, partition: partition, to: broker) }
    }

    private func move(topic: String, partition: Int32, to broker: Int32) async throws {
        let md = try await metadata(topic: topic)
        guard let p = md.topic(topic)?.partitions.first(where: { $0.id == partition }) else {
            throw KafkaError(code: 3, detail: "no partition \(topic)[\(partition)]")
        }
        guard p.replicas.contains(broker) else {
            throw KafkaError.invalidArgument(
                "broker \(broker) holds no replica of \(topic)[\(partition)] (replicas \(p.replicas))")
        }
        guard !state.withLock({ $0.down.contains(broker) }) else {
            throw KafkaError(code: 8, detail: "broker \(broker) is down; it cannot lead \(topic)[\(partition)]")
        }
        try await mock.setLeader(topic: topic, partition: partition, broker: broker)
    }

    /// Puts a group's or transactional id's coordinator on a broker (a fault drill's setup).
    public func placeCoordinator(_ key: String, type: CoordinatorType, on broker: Int32) async throws {
        try checkBroker(broker)
        try await controller.run {
            registerCoordinatorKey(key, type: type)
            try await mock.setCoordinator(type: type.rawValue, key: key, broker: broker)
        }
    }

    /// The suite plays the controller: leadership moves inside `killBroker`, before it returns.
    public var failoverDeadline: Duration { .seconds(5) }

    public func registerCoordinatorKey(_ key: String, type: CoordinatorType) {
        _ = state.withLock { $0.coordinatorKeys.insert("\(type.rawValue):\(key)") }
    }

    public func shutdown() async {
        // The client goes first, wholly: its teardown talks to the brokers the mock's teardown removes.
        await metadataClient.kill()
        await mock.destroy()
    }
}

/// An async lock: callers run their bodies one at a time, in the order they arrived.
final class OneAtATime: Sendable {
    private struct Queue {
        var busy = false
        var waiting: [CheckedContinuation<Void, Never>] = []
    }
    private let queue = Mutex(Queue())

    func run<T>(_ body: () async throws -> T) async rethrows -> T {
        await withCheckedContinuation { (turn: CheckedContinuation<Void, Never>) in
            let now = queue.withLock { q in
                if q.busy { q.waiting.append(turn); return false }
                q.busy = true
                return true
            }
            if now { turn.resume() }
        }
        defer {
            let next = queue.withLock { q in
                if q.waiting.isEmpty { q.busy = false; return nil as CheckedContinuation<Void, Never>? }
                return q.waiting.removeFirst()
            }
            next?.resume()
        }
        return try await body()
    }
}
