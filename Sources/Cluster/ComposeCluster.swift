import KafkaClient
import Launching
import Foundation

/// Runs a command and returns its output; ComposeCluster's only way to touch Docker, so its
/// commands can be checked without an engine.
public protocol CommandRunner: Sendable {
    func run(_ arguments: [String], input: String?) async throws -> String
}

/// Runs commands as processes found on PATH, with a time limit.
public struct ProcessRunner: CommandRunner {
    public var timeout: Duration
    /// Variables set on top of this process's environment (tests put a fake `docker` first on PATH).
    public var environment: [String: String]

    public init(timeout: Duration = .seconds(120), environment: [String: String] = [:]) {
        self.timeout = timeout
        self.environment = environment
    }

    public func run(_ arguments: [String], input: String?) async throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        }
        let out = Pipe()
        let inPipe = Pipe()
        process.standardOutput = out
        process.standardError = out
        process.standardInput = inPipe
        try ChildProcess.launch(process)
        if let input { inPipe.fileHandleForWriting.write(Data(input.utf8)) }
        try? inPipe.fileHandleForWriting.close()
        let limit = timeout
        let command = arguments.joined(separator: " ")
        let output: String = try await withThrowingTaskGroup(of: String?.self) { group in
            group.addTask {
                try await Blocking.run {
                    let data = out.fileHandleForReading.readDataToEndOfFile()
                    process.waitUntilExit()
                    return String(decoding: data, as: UTF8.self)
                }
            }
            group.addTask {
                try await Task.sleep(for: limit)
                process.terminate()
                return nil
            }
            let first = try await group.next()!
            group.cancelAll()
            guard let text = first else {
                throw KafkaError.timedOut("`\(command)` did not finish within \(limit.formatted())")
            }
            return text
        }
        guard process.terminationStatus == 0 else {
            throw KafkaError.transport("`\(command)` exited \(process.terminationStatus): \(output)")
        }
        return output
    }
}

/// A fault step that would take the KRaft quorum down with it: refused, never run.
public struct QuorumProtection: Error, Sendable, CustomStringConvertible {
    public let description: String
}

/// The real cluster of `docker-compose.yml`: three KRaft controllers and three brokers of the official
/// apache/kafka image, each broker behind a toxiproxy proxy. Faults are Docker and toxiproxy operations,
/// on brokers only: the controllers are not reachable through the steps, so the quorum survives any
/// drill (and a topology whose brokers are also controllers cannot lose its majority through them).
public final class ComposeCluster: Cluster, @unchecked Sendable {
    /// The services of docker-compose.yml the suite relies on.
    public struct Topology: Sendable, Equatable {
        /// Broker node id → service.
        public var brokers: [Int32: String]
        /// Controller (quorum voter) node id → service; a service in both maps is a combined node.
        public var controllers: [Int32: String]
        public var proxy: String
        /// The controllers' broker.session.timeout.ms: a SIGKILLed broker keeps its leaderships this long.
        public var brokerSessionTimeout: Duration

        public init(
            brokers: [Int32: String], controllers: [Int32: String], proxy: String = "toxiproxy",
            brokerSessionTimeout: Duration = .seconds(9)
        ) {
            self.brokers = brokers
            self.controllers = controllers
            self.proxy = proxy
            self.brokerSessionTimeout = brokerSessionTimeout
        }

        public static let standard = Topology(
            brokers: [1: "kafka-1", 2: "kafka-2", 3: "kafka-3"],
            controllers: [101: "controller-1", 102: "controller-2", 103: "controller-3"])

        public var brokerIds: [Int32] { brokers.keys.sorted() }
        public var services: [String] { Set(brokers.values).union(controllers.values).union([proxy]).sorted() }
        /// Voters that must run for the quorum to elect a leader.
        public var majority: Int { controllers.count / 2 + 1 }
    }

    public let backend = "compose"
    public var capabilities: Set<ClusterCapability> {
        kafka.capabilities.subtracting([.errorInjection, .leaderMoves]).union([.brokerFaults, .latency])
            .union(tools).union(extras.capabilities)
    }
    public var bootstrapServers: String { kafka.bootstrapServers }
    public var clientConfig: KafkaConfig { kafka.clientConfig }
    public var failoverDeadline: Duration { topology.brokerSessionTimeout + .seconds(6) }
    /// What the compose file gives its brokers (KAFKA_MIN_INSYNC_REPLICAS), read when the cluster is made.
    public let minInsyncReplicas: Int32

    public static let defaultBootstrap = "localhost:29091,localhost:29092,localhost:29093"
    /// Names of the toxics the suite adds; latency is split over both directions of a proxy.
    static let upstreamToxic = "kafka-bdd-latency-upstream", downstreamToxic = "kafka-bdd-latency-downstream"

    public let composeFile: String
    public let topology: Topology
    private let kafka: any Cluster
    let runner: CommandRunner
    /// The Connect worker and the secured listeners, when the compose project runs them.
    public let extras: Extras
    /// What Kafka's own command-line tools, run in a broker container, give (librdkafka 2.0.2 has no API
    /// for them; a leader move is a reassignment that reorders the replicas, then an election). A test's
    /// fake `docker` runs no tool: it passes none, and those steps skip.
    public let tools: Set<ClusterCapability>
    public static let kafkaTools: Set<ClusterCapability> = [.reassignment, .leaderElection, .leaderMoves]

    /// `kafka` is the cluster the clients talk to (the brokers through toxiproxy); tests put the
    /// embedded mock there, with a fake `docker` that stops and slows its brokers.
    public init(
        composeFile: String, topology: Topology = .standard, runner: CommandRunner, kafka: any Cluster,
        extras: Extras = Extras(), tools: Set<ClusterCapability> = ComposeCluster.kafkaTools
    ) {
        self.composeFile = composeFile
        self.topology = topology
        self.runner = runner
        self.kafka = kafka
        self.extras = extras
        self.tools = tools
        minInsyncReplicas = Self.minInsyncReplicas(composeFile: composeFile)
    }

    /// The largest KAFKA_MIN_INSYNC_REPLICAS in the compose file (its brokers' min.insync.replicas), Kafka's
    /// default of 1 when it sets none.
    public static func minInsyncReplicas(composeFile: String) -> Int32 {
        let text = (try? String(contentsOfFile: composeFile, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line -> Int32? in
            guard let m = line.firstMatch(of: /^\s*KAFKA_MIN_INSYNC_REPLICAS:\s*"?(\d+)"?\s*$/) else { return nil }
            return Int32(m.1)
        }.max() ?? 1
    }

    /// The compose file from KAFKA_BDD_COMPOSE_FILE, or found from the working directory up.
    public convenience init(
        composeFile: String? = nil, bootstrapServers: String = ComposeCluster.defaultBootstrap,
        topology: Topology = .standard, runner: CommandRunner = ProcessRunner()
    ) throws {
        let file = try composeFile ?? Self.locateComposeFile()
        self.init(
            composeFile: file, topology: topology, runner: runner,
            kafka: try ExternalCluster(bootstrapServers: bootstrapServers, backend: "compose"),
            extras: .fromEnvironment(composeFile: file))
    }

    /// KAFKA_BDD_COMPOSE_FILE when set; otherwise the first docker-compose.yml in `directory` or a
    /// parent of it, so a run from anywhere inside the package finds the package's cluster.
    public static func locateComposeFile(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        from directory: String = FileManager.default.currentDirectoryPath
    )
        throws -> String
    {
        let files = FileManager.default
        if let path = environment["KAFKA_BDD_COMPOSE_FILE"], !path.isEmpty {
            let base = URL(fileURLWithPath: directory)
            let absolute = URL(fileURLWithPath: path, relativeTo: base).standardizedFileURL.path
            guard files.fileExists(atPath: absolute) else {
                throw KafkaError.invalidArgument("KAFKA_BDD_COMPOSE_FILE=\(path): no such file")
            }
            return absolute
        }
        var dir = URL(fileURLWithPath: directory).standardizedFileURL
        while true {
            let candidate = dir.appendingPathComponent("docker-compose.yml").path
            if files.fileExists(atPath: candidate) { return candidate }
            let parent = dir.deletingLastPathComponent()
            if parent.path == dir.path { break }
            dir = parent
        }
        throw KafkaError.invalidArgument(
            "--cluster compose: no docker-compose.yml in \(directory) or any "
                + "directory above it; run from the KafkaBDD package or set KAFKA_BDD_COMPOSE_FILE")
    }

    /// `docker compose -f FILE …`
    func compose(_ arguments: [String], input: String? = nil) async throws -> String {
        try await runner.run(["docker", "compose", "-f", composeFile] + arguments, input: input)
    }

    func toxiproxy(_ arguments: [String]) async throws -> String {
        try await compose(["exec", "-T", topology.proxy, "/toxiproxy-cli"] + arguments)
    }

    func service(_ broker: Int32) throws -> String {
        guard let service = topology.brokers[broker] else {
            let ids = topology.brokerIds.map(String.init).joined(separator: ", ")
            let controllers =
                topology.controllers.keys.contains(broker)
                ? " (\(broker) is a KRaft controller: "
                    + "controllers are not killed by the steps, so the quorum survives)" : ""
            throw NoSuchBroker(
                "there is no broker \(broker); the compose cluster has brokers "
                    + "\(ids)\(controllers)")
        }
        return service
    }

    public func metadata(topic: String?) async throws -> ClusterMetadata { try await kafka.metadata(topic: topic) }
    public func createTopic(_ spec: TopicSpec) async throws { try await kafka.createTopic(spec) }
    public func deleteTopics(_ names: [String]) async throws { try await kafka.deleteTopics(names) }
    public func watermarks(topic: String, partition: Int32) async throws -> (low: Int64, high: Int64) {
        try await kafka.watermarks(topic: topic, partition: partition)
    }
    public func configuredBrokers() async throws -> [Int32] { topology.brokerIds }

    /// Broker N's proxy: the Nth bootstrap server, whatever the metadata says (a killed broker leaves it).
    public func brokerAddress(_ id: Int32) async throws -> (host: String, port: Int)? {
        let entries = bootstrapServers.split(separator: ",").map(String.init)
        guard let index = topology.brokerIds.firstIndex(of: id), index < entries.count,
            let colon = entries[index].lastIndex(of: ":"),
            let port = Int(entries[index][entries[index].index(after: colon)...])
        else { return nil }
        return (String(entries[index][..<colon]), port)
    }

    /// The brokers that answer an ApiVersions probe: the metadata keeps a killed broker for a session.
    public func liveBrokers() async throws -> [Int32] {
        try await withThrowingTaskGroup(of: (Int32, Bool).self) { group in
            for id in topology.brokerIds {
                group.addTask { (id, try await self.probe(broker: id, timeout: .seconds(3)).answered) }
            }
            var live: [Int32] = []
            for try await (id, answered) in group where answered { live.append(id) }
            return live.sorted()
        }
    }

    /// Services of the topology that docker reports running.
    func runningServices() async throws -> Set<String> {
        let out = try await compose(["ps", "--status", "running", "--services"])
        return Set(out.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) })
    }

    /// A hard kill (SIGKILL), as Kafka's system tests do for `hard_bounce`. Refused when the broker's
    /// service also hosts a KRaft controller and the kill would leave fewer than a majority running.
    public func killBroker(_ id: Int32) async throws {
        let service = try service(id)
        try await protectQuorum(id, service, "kill")
        _ = try await compose(["kill", "-s", "SIGKILL", service])
    }

    /// A graceful stop, as Kafka's system tests' `clean_bounce`: `docker compose stop` sends SIGTERM, and the
    /// broker's controlled shutdown hands its leaderships over before it exits (SIGKILL only after 60 s).
    public func stopBroker(_ id: Int32) async throws {
        let service = try service(id)
        try await protectQuorum(id, service, "stop")
        _ = try await compose(["stop", "-t", "60", service])
    }

    private func protectQuorum(_ id: Int32, _ service: String, _ verb: String) async throws {
        let voters = topology.controllers.filter { $0.value == service }.keys
        if let voter = voters.first {
            let running = try await runningServices()
            let left = topology.controllers.values.filter { $0 != service && running.contains($0) }.count
            if left < topology.majority {
                throw QuorumProtection(
                    description: "refusing to \(verb) broker \(id): \(service) is also KRaft "
                        + "controller \(voter), and without it \(left) of \(topology.controllers.count) controllers "
                        + "would "
                        + "run, fewer than the \(topology.majority) the metadata quorum needs; run the brokers apart "
                        + "from the controllers (docker-compose.yml)")
            }
        }
    }

    public func restartBroker(_ id: Int32) async throws {
        _ = try await compose(["start", try service(id)])
    }

    /// One `docker compose start` for all of them: their JVMs boot side by side.
    public func restoreBrokers(_ ids: [Int32]) async throws {
        guard !ids.isEmpty else { return }
        _ = try await compose(["start"] + (try ids.sorted().map(service)))
    }

    /// A toxic on a proxy, as `toxiproxy-cli inspect` lists it when not on a terminal.
    struct Toxic: Equatable {
        var name: String, type: String, stream: String
    }

    func toxics(on proxy: String) async throws -> [Toxic] {
        try await toxiproxy(["inspect", proxy]).split(whereSeparator: \.isNewline).compactMap { line in
            let fields = line.split(separator: "\t").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let name = fields.first, !name.isEmpty, fields.count > 2 else { return nil }
            func field(_ key: String) -> String {
                fields.first { $0.hasPrefix(key + "=") }.map { String($0.dropFirst(key.count + 1)) } ?? "?"
            }
            return Toxic(name: name, type: field("type"), stream: field("stream"))
        }
    }

    /// Latency on the broker's proxy, half on requests (upstream) and half on responses (downstream), so
    /// a client's round trip to the broker grows by `latency`. Replication between brokers bypasses the proxy.
    public func setLatency(broker: Int32, _ latency: Duration) async throws {
        let proxy = try service(broker)
        let ours = [Self.upstreamToxic, Self.downstreamToxic]
        for toxic in try await toxics(on: proxy) where ours.contains(toxic.name) {
            _ = try await toxiproxy(["toxic", "remove", "-n", toxic.name, proxy])
        }
        guard latency > .zero else { return }
        let total = latency.milliseconds, up = total / 2
        _ = try await toxiproxy([
            "toxic", "add", "-t", "latency", "-n", Self.upstreamToxic, "-u",
            "-a", "latency=\(up)", proxy,
        ])
        _ = try await toxiproxy([
            "toxic", "add", "-t", "latency", "-n", Self.downstreamToxic, "-d",
            "-a", "latency=\(total - up)", proxy,
        ])
    }

    /// Services of the topology that are not running, and toxics or disabled proxies on toxiproxy.
    public func faultsInPlace() async throws -> [String] {
        let running = try await runningServices()
        var faults = topology.services.filter { !running.contains($0) }.map { "\($0) is not running" }
        guard running.contains(topology.proxy) else { return faults }
        for line in try await toxiproxy(["list"]).split(whereSeparator: \.isNewline) {
            let fields = line.split(separator: "\t").map { $0.trimmingCharacters(in: .whitespaces) }
            guard fields.count >= 5, topology.brokers.values.contains(fields[0]) else { continue }
            if fields[3] != "enabled" { faults.append("proxy \(fields[0]) is \(fields[3])") }
            if fields[4] != "0", fields[4] != "None" {
                for t in try await toxics(on: fields[0]) {
                    faults.append("toxic \(t.name) (\(t.type), \(t.stream)) on proxy \(fields[0])")
                }
            }
        }
        return faults
    }

    public func injectErrors(_ request: KafkaRequest, _ errorNames: [String]) async throws {
        throw Unsupported(
            capability: .errorInjection, backend: backend, hint: "Kafka error injection needs --cluster embedded")
    }

    /// Makes `broker` the preferred (first) replica and runs a preferred leader election, waiting
    /// (within the failover deadline each) for the reassignment to show in the metadata and then
    /// for the broker to lead: both are asynchronous on a real cluster.
    public func moveLeader(topic: String, partition: Int32, to broker: Int32) async throws {
        _ = try service(broker)
        guard let p = try await partitionMetadata(topic, partition), p.replicas.contains(broker) else {
            throw KafkaError.invalidArgument("broker \(broker) holds no replica of \(topic)[\(partition)]")
        }
        if p.leader == broker { return }
        guard let tool = try await liveBrokers().first(where: { $0 != broker }).map(service) else {
            throw KafkaError.invalidArgument("no other live broker to run Kafka's tools on")
        }
        let bootstrap = "\(tool):19092"
        let replicas = [broker] + p.replicas.filter { $0 != broker }
        let list = replicas.map(String.init).joined(separator: ",")
        let plan =
            #"{"version":1,"partitions":[{"topic":"\#(topic)","partition":\#(partition),"#
            + #""replicas":[\#(list)]}]}"#
        _ = try await compose(
            [
                "exec", "-T", tool, "bash", "-c",
                "cat > /tmp/kafka-bdd-move.json && /opt/kafka/bin/kafka-reassign-partitions.sh "
                    + "--bootstrap-server \(bootstrap) --reassignment-json-file /tmp/kafka-bdd-move.json "
                    + "--execute",
            ], input: plan)
        try await awaitPartition(topic, partition, "replicas \(replicas)") { $0.replicas == replicas }
        _ = try await compose([
            "exec", "-T", tool, "/opt/kafka/bin/kafka-leader-election.sh", "--bootstrap-server",
            bootstrap, "--election-type", "preferred", "--topic", topic,
            "--partition", String(partition),
        ])
        try await awaitPartition(topic, partition, "leader \(broker)") { $0.leader == broker }
    }

    /// Runs one of Kafka's admin tools on a live broker's container, its JSON input on stdin
    /// (librdkafka 2.0.2 has neither AlterPartitionReassignments nor ElectLeaders).
    private func kafkaTool(_ script: String, json: String, file: String) async throws {
        guard let tool = try await liveBrokers().first.map(service) else {
            throw KafkaError.invalidArgument("no live broker to run Kafka's tools on")
        }
        _ = try await compose(
            [
                "exec", "-T", tool, "bash", "-c",
                "cat > /tmp/\(file) && /opt/kafka/bin/\(script) --bootstrap-server \(tool):19092 "
                    + (script.hasPrefix("kafka-reassign")
                        ? "--reassignment-json-file /tmp/\(file) --execute"
                        : "--election-type preferred --path-to-json-file /tmp/\(file)"),
            ], input: json)
    }

    static func quoted(_ s: String) -> String {
        "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// `kafka-reassign-partitions.sh --execute`, then waits (within twice the failover deadline) until
    /// the metadata shows each partition's new replicas, then elects the preferred leaders.
    public func reassign(_ partitions: [(topic: String, partition: Int32, replicas: [Int32])]) async throws {
        for p in partitions { for r in p.replicas { _ = try service(r) } }
        let entries = partitions.map { p in
            let replicas = p.replicas.map(String.init).joined(separator: ",")
            return #"{"topic":\#(Self.quoted(p.topic)),"partition":\#(p.partition),"replicas":[\#(replicas)]}"#
        }
        try await kafkaTool(
            "kafka-reassign-partitions.sh",
            json: #"{"version":1,"partitions":[\#(entries.joined(separator: ","))]}"#,
            file: "kafka-bdd-reassign.json")
        for p in partitions {
            try await awaitPartition(p.topic, p.partition, "replicas \(p.replicas)", within: failoverDeadline * 2) {
                $0.replicas == p.replicas && Set($0.isr) == Set(p.replicas)
            }
        }
        try await electPreferredLeaders(partitions.map { ($0.topic, $0.partition) })
    }

    /// `kafka-leader-election.sh --election-type preferred`, then waits until each partition is led by its
    /// first replica.
    public func electPreferredLeaders(_ partitions: [(topic: String, partition: Int32)]) async throws {
        guard !partitions.isEmpty else { return }
        let entries = partitions.map { #"{"topic":\#(Self.quoted($0.topic)),"partition":\#($0.partition)}"# }
        try await kafkaTool(
            "kafka-leader-election.sh", json: #"{"partitions":[\#(entries.joined(separator: ","))]}"#,
            file: "kafka-bdd-elect.json")
        for p in partitions {
            try await awaitPartition(p.topic, p.partition, "its preferred leader") { $0.replicas.first == $0.leader }
        }
    }

    private func partitionMetadata(_ topic: String, _ partition: Int32) async throws -> PartitionMetadata? {
        try await metadata(topic: topic).topic(topic)?.partitions.first { $0.id == partition }
    }

    private func awaitPartition(
        _ topic: String, _ partition: Int32, _ what: String, within limit: Duration? = nil,
        until done: (PartitionMetadata) -> Bool
    ) async throws {
        let deadline = ContinuousClock.now + (limit ?? failoverDeadline)
        var last: PartitionMetadata?
        repeat {
            last = try await partitionMetadata(topic, partition)
            if let last, done(last) { return }
            try await Task.sleep(for: .milliseconds(200))  // polling interval of the deadline loop
        } while ContinuousClock.now < deadline
        throw FaultNotObserved(
            "\(topic)[\(partition)] did not reach \(what) within "
                + "\((limit ?? failoverDeadline).seconds) s "
                + "(now leader \(last?.leader ?? -1), replicas \(last?.replicas ?? []))")
    }

    /// Passed to the cluster the clients talk to: real Kafka moves coordinators itself (a no-op there), a
    /// test's embedded stand-in must be told which to move, as it is for leaders.
    public func registerCoordinatorKey(_ key: String, type: CoordinatorType) {
        kafka.registerCoordinatorKey(key, type: type)
    }

    public func shutdown() async { await kafka.shutdown() }
}
