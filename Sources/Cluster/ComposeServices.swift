import Foundation
#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif
import KafkaClient

extension ComposeCluster {
    /// What the compose project runs besides the brokers: the Connect worker of docker-compose.yml and,
    /// with compose/security.yml, the secured listeners.
    public struct Extras: Sendable {
        /// The Connect worker's REST API, and its service (for files its file connectors read and write).
        public var connectURL: URL?
        public var connectService: String
        public var security: Security?

        /// The listeners of compose/security.yml: SASL_SSL (SCRAM-SHA-512, server-authenticated TLS) and
        /// SSL with client authentication (mTLS); certificates from `make certs`.
        public struct Security: Sendable {
            public var saslBootstrap: String
            public var mtlsBootstrap: String
            /// compose/certs: ca.pem, client.pem, client.key, …
            public var certificates: String

            public init(
                saslBootstrap: String = "localhost:29391,localhost:29392,localhost:29393",
                mtlsBootstrap: String = "localhost:29291,localhost:29292,localhost:29293",
                certificates: String
            ) {
                self.saslBootstrap = saslBootstrap
                self.mtlsBootstrap = mtlsBootstrap
                self.certificates = certificates
            }
        }

        public init(connectURL: URL? = nil, connectService: String = "connect", security: Security? = nil) {
            self.connectURL = connectURL
            self.connectService = connectService
            self.security = security
        }

        public var capabilities: Set<ClusterCapability> {
            var c: Set<ClusterCapability> = []
            if connectURL != nil { c.insert(.connect) }
            if security != nil { c.insert(.security) }
            return c
        }

        /// docker-compose.yml always runs the worker (KAFKA_BDD_CONNECT_URL moves it); the secured listeners
        /// exist when the project was started with compose/security.yml (`make up-secure`), which the
        /// run is told with KAFKA_BDD_SECURE=1.
        public static func fromEnvironment(
            composeFile: String,
            _ env: [String: String] = ProcessInfo.processInfo.environment
        ) -> Extras {
            let given = env["KAFKA_BDD_CONNECT_URL"].flatMap { $0.isEmpty ? nil : $0 }
            let url = URL(string: given ?? "http://localhost:8083")
            let root = URL(fileURLWithPath: composeFile).deletingLastPathComponent()
            let security =
                env["KAFKA_BDD_SECURE"] == "1"
                ? Security(certificates: root.appendingPathComponent("compose/certs").path) : nil
            return Extras(connectURL: url, security: security)
        }
    }

    // MARK: - the broker's own tools, for the segment layout

    /// A file of a partition's log directory on the broker that leads it.
    public struct SegmentFile: Sendable, Equatable {
        public var name: String
        public var bytes: Int64
        /// The base offset a segment file is named after, or nil for other files.
        public var baseOffset: Int64? {
            guard let dot = name.firstIndex(of: "."), name[..<dot].count == 20 else { return nil }
            return Int64(name[..<dot])
        }
    }

    /// What kafka-dump-log.sh shows of one file: the records of a .log (tombstones with a nil value
    /// size), the entries of an .index.
    public struct DumpedFile: Sendable, Equatable {
        public var name: String
        public var records: [DumpedRecord] = []
        public var indexEntries = 0
    }

    public struct DumpedRecord: Sendable, Equatable {
        public var offset: Int64
        public var key: String?
        public var valueSize: Int
    }

    public static let logDirectory = "/tmp/kraft-logs"

    /// The broker service leading a partition, where its log is read.
    func leaderService(topic: String, partition: Int32) async throws -> (Int32, String) {
        guard let p = try await metadata(topic: topic).topic(topic)?.partitions.first(where: { $0.id == partition }),
            let service = topology.brokers[p.leader]
        else {
            throw KafkaError.invalidArgument("no leader of \(topic)[\(partition)] among the compose brokers")
        }
        return (p.leader, service)
    }

    /// `ls -ln` of the partition's directory on its leader.
    public func segmentFiles(topic: String, partition: Int32) async throws -> (broker: Int32, files: [SegmentFile]) {
        let (broker, service) = try await leaderService(topic: topic, partition: partition)
        let out = try await compose(["exec", "-T", service, "ls", "-ln", "\(Self.logDirectory)/\(topic)-\(partition)"])
        return (broker, Self.parseListing(out))
    }

    static func parseListing(_ out: String) -> [SegmentFile] {
        out.split(whereSeparator: \.isNewline).compactMap { line in
            let f = line.split(separator: " ", omittingEmptySubsequences: true)
            guard f.count >= 9, f[0].hasPrefix("-"), let bytes = Int64(f[4]) else { return nil }
            return SegmentFile(name: String(f[f.count - 1]), bytes: bytes)
        }.sorted { $0.name < $1.name }
    }

    /// kafka-dump-log.sh on the leader, over the named files of the partition's directory.
    public func dumpLog(topic: String, partition: Int32, files: [String]) async throws -> [DumpedFile] {
        guard !files.isEmpty else { return [] }
        let (_, service) = try await leaderService(topic: topic, partition: partition)
        let dir = "\(Self.logDirectory)/\(topic)-\(partition)"
        let out = try await compose([
            "exec", "-T", service, "/opt/kafka/bin/kafka-dump-log.sh", "--print-data-log",
            "--files", files.map { "\(dir)/\($0)" }.joined(separator: ","),
        ])
        return Self.parseDump(out)
    }

    static func parseDump(_ out: String) -> [DumpedFile] {
        var files: [DumpedFile] = []
        for line in out.split(whereSeparator: \.isNewline).map(String.init) {
            if line.hasPrefix("Dumping ") {
                let path = line.dropFirst("Dumping ".count)
                files.append(DumpedFile(name: String(path.split(separator: "/").last ?? "")))
                continue
            }
            guard !files.isEmpty else { continue }
            func field(_ name: String) -> String? {
                guard
                    let r = line.range(of: " \(name): ")
                        ?? (line.hasPrefix("\(name): ")
                            ? line.range(of: "\(name): ") : nil)
                else { return nil }
                let rest = line[r.upperBound...]
                return String(rest.prefix { $0 != " " })
            }
            if line.hasPrefix("| offset: ") || line.hasPrefix("offset: ") && line.contains(" CreateTime: ") {
                guard let offset = field("offset").flatMap({ Int64($0) }) else { continue }
                let size = field("valueSize").flatMap { Int($0) } ?? -1
                files[files.count - 1].records.append(DumpedRecord(offset: offset, key: field("key"), valueSize: size))
            } else if line.hasPrefix("offset: "), line.contains(" position: ") {
                files[files.count - 1].indexEntries += 1
            }
        }
        return files
    }

    /// kafka-log-dirs.sh: the bytes of each replica of the topic's partitions, per broker.
    public func replicaSizes(topic: String) async throws -> [(broker: Int32, partition: String, bytes: Int64)] {
        guard let tool = try await liveBrokers().first.flatMap({ topology.brokers[$0] }) else {
            throw KafkaError.invalidArgument("no live broker to run kafka-log-dirs.sh on")
        }
        let out = try await compose([
            "exec", "-T", tool, "/opt/kafka/bin/kafka-log-dirs.sh", "--bootstrap-server",
            "\(tool):19092", "--describe", "--topic-list", topic,
        ])
        return Self.parseLogDirs(out)
    }

    static func parseLogDirs(_ out: String) -> [(broker: Int32, partition: String, bytes: Int64)] {
        guard let line = out.split(whereSeparator: \.isNewline).first(where: { $0.hasPrefix("{") }),
            let json = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
            let brokers = json["brokers"] as? [[String: Any]]
        else { return [] }
        var rows: [(broker: Int32, partition: String, bytes: Int64)] = []
        for b in brokers {
            let id = (b["broker"] as? NSNumber)?.int32Value ?? -1
            for dir in b["logDirs"] as? [[String: Any]] ?? [] {
                for p in dir["partitions"] as? [[String: Any]] ?? [] {
                    rows.append((id, p["partition"] as? String ?? "?", (p["size"] as? NSNumber)?.int64Value ?? -1))
                }
            }
        }
        return rows.sorted { ($0.partition, $0.broker) < ($1.partition, $1.broker) }
    }

    // MARK: - files of the Connect worker's file connectors

    private func connectService() throws -> String {
        guard extras.connectURL != nil else {
            throw Unsupported(capability: .connect, backend: backend, hint: "docker-compose.yml's connect service")
        }
        return extras.connectService
    }

    /// Writes (or appends) lines to a file in the worker's container, through stdin.
    public func writeConnectFile(_ path: String, lines: [String], append: Bool) async throws {
        let dir = (path as NSString).deletingLastPathComponent
        _ = try await compose(
            [
                "exec", "-T", try connectService(), "sh", "-c",
                "mkdir -p \(dir) && cat \(append ? ">>" : ">") \(path)",
            ],
            input: lines.map { $0 + "\n" }.joined())
    }

    /// The lines of a file in the worker's container; none when it does not exist yet.
    public func readConnectFile(_ path: String) async throws -> [String] {
        let out = try await compose(["exec", "-T", try connectService(), "sh", "-c", "cat \(path) 2>/dev/null || true"])
        return out.split(separator: "\n").map(String.init)
    }

    public func removeConnectFiles(_ paths: [String]) async throws {
        guard !paths.isEmpty else { return }
        _ = try await compose(["exec", "-T", try connectService(), "rm", "-f"] + paths)
    }

    // MARK: - SCRAM users and ACLs, through the brokers' internal listener

    private func adminTool() async throws -> String {
        guard extras.security != nil else {
            throw Unsupported(
                capability: .security, backend: backend,
                hint: "start the cluster with `make up-secure` and run with KAFKA_BDD_SECURE=1")
        }
        guard let tool = try await liveBrokers().first.flatMap({ topology.brokers[$0] }) else {
            throw KafkaError.invalidArgument("no live broker to run Kafka's tools on")
        }
        return tool
    }

    /// Creates (or resets) a SCRAM-SHA-512 user. The password goes through stdin, never on a command line.
    public func setScramUser(_ name: String, password: String) async throws {
        let tool = try await adminTool()
        _ = try await compose(
            [
                "exec", "-T", tool, "bash", "-c",
                "read -r p && /opt/kafka/bin/kafka-configs.sh --bootstrap-server \(tool):19092 --alter "
                    + "--entity-type users --entity-name \(name) "
                    + "--add-config \"SCRAM-SHA-512=[iterations=8192,password=$p]\"",
            ],
            input: password + "\n")
    }

    public func deleteScramUser(_ name: String) async throws {
        let tool = try await adminTool()
        _ = try await compose([
            "exec", "-T", tool, "/opt/kafka/bin/kafka-configs.sh", "--bootstrap-server",
            "\(tool):19092", "--alter", "--entity-type", "users", "--entity-name", name,
            "--delete-config", "SCRAM-SHA-512",
        ])
    }

    /// An ACL: `principal` (User:NAME) may do `operation` on `resource` (`topic:T`, `group:G`, `cluster`).
    public struct ACL: Sendable, Equatable {
        public var principal: String, operation: String, resource: String
        public init(principal: String, operation: String, resource: String) {
            self.principal = principal
            self.operation = operation
            self.resource = resource
        }

        var resourceArguments: [String] {
            if resource == "cluster" { return ["--cluster"] }
            let parts = resource.split(separator: ":", maxSplits: 1).map(String.init)
            return ["--\(parts[0])", parts.count > 1 ? parts[1] : ""]
        }
    }

    public func addACLs(_ acls: [ACL]) async throws {
        let tool = try await adminTool()
        for acl in acls {
            _ = try await compose(
                [
                    "exec", "-T", tool, "/opt/kafka/bin/kafka-acls.sh", "--bootstrap-server",
                    "\(tool):19092", "--add", "--allow-principal", acl.principal,
                    "--operation", acl.operation,
                ] + acl.resourceArguments)
        }
    }

    public func removeACLs(_ acls: [ACL]) async throws {
        let tool = try await adminTool()
        for acl in acls {
            _ = try await compose(
                [
                    "exec", "-T", tool, "/opt/kafka/bin/kafka-acls.sh", "--bootstrap-server",
                    "\(tool):19092", "--remove", "--force", "--allow-principal", acl.principal,
                    "--operation", acl.operation,
                ] + acl.resourceArguments)
        }
    }
}

/// Kafka Connect's REST API (the endpoints of the Connect docs, JSON over HTTP/1.1).
public struct ConnectREST: Sendable {
    public let base: URL
    public var timeout: Duration

    public init(base: URL, timeout: Duration = .seconds(15)) {
        self.base = base
        self.timeout = timeout
    }

    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// One request; a status outside 2xx (other than those `accepting`) is a Failure naming the endpoint.
    @discardableResult
    public func send(_ method: String, _ path: String, body: Any? = nil, accepting: Set<Int> = []) async throws
        -> (status: Int, json: Any?)
    {
        guard let url = URL(string: path, relativeTo: base) else {
            throw Failure(description: "Connect REST: bad path \(path)")
        }
        var request = URLRequest(url: url)
        request.httpMethod = method
        request.timeoutInterval = Double(timeout.components.seconds)
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        if let body {
            request.httpBody = try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let data: Data, response: URLResponse
        do {
            (data, response) = try await URLSession.shared.data(for: request)
        } catch {
            throw Failure(
                description: "Connect REST \(method) \(path) at \(base.absoluteString): "
                    + error.localizedDescription)
        }
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        let json = data.isEmpty ? nil : try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        guard (200..<300).contains(status) || accepting.contains(status) else {
            let message =
                (json as? [String: Any])?["message"] as? String
                ?? String(decoding: data.prefix(300), as: UTF8.self)
            throw Failure(description: "Connect REST \(method) \(path) answered \(status): \(message)")
        }
        return (status, json)
    }

    /// The connector classes the worker offers (GET /connector-plugins).
    public func plugins() async throws -> [String] {
        let (_, json) = try await send("GET", "/connector-plugins")
        return (json as? [[String: Any]] ?? []).compactMap { $0["class"] as? String }
    }

    /// Creates or updates a connector (PUT /connectors/NAME/config).
    public func put(connector name: String, config: [String: String]) async throws {
        try await send("PUT", "/connectors/\(name)/config", body: config)
    }

    /// The connector's state and its tasks' states (GET /connectors/NAME/status); nil before it exists.
    public func status(_ name: String) async throws -> (connector: String, tasks: [String], trace: String?)? {
        let (status, json) = try await send("GET", "/connectors/\(name)/status", accepting: [404])
        guard status != 404, let object = json as? [String: Any] else { return nil }
        let connector = (object["connector"] as? [String: Any])?["state"] as? String ?? "?"
        let tasks = object["tasks"] as? [[String: Any]] ?? []
        let trace = tasks.compactMap { $0["trace"] as? String }.first
        return (connector, tasks.compactMap { $0["state"] as? String }, trace)
    }

    /// Restarts the connector and its tasks (POST /connectors/NAME/restart?includeTasks=true).
    public func restart(_ name: String) async throws {
        try await send("POST", "/connectors/\(name)/restart?includeTasks=true&onlyFailed=false")
    }

    /// Deletes a connector; one already gone is fine (404).
    public func delete(_ name: String) async throws {
        try await send("DELETE", "/connectors/\(name)", accepting: [404])
    }

    /// Waits until the connector and every task (at least one) are RUNNING, or fails with their states.
    public func awaitRunning(_ name: String, within deadline: Duration) async throws {
        let end = ContinuousClock.now + deadline
        var last: (connector: String, tasks: [String], trace: String?)?
        repeat {
            last = try await status(name)
            if let last, last.connector == "RUNNING", !last.tasks.isEmpty, last.tasks.allSatisfy({ $0 == "RUNNING" }) {
                return
            }
            try await Task.sleep(for: .milliseconds(500))  // polling interval of the deadline loop
        } while ContinuousClock.now < end
        let trace = last?.trace.map { ": " + ($0.split(separator: "\n").first.map(String.init) ?? "") } ?? ""
        throw Failure(
            description: "connector \(name) is not running within \(deadline.formatted()) (connector "
                + "\(last?.connector ?? "absent"), tasks \(last?.tasks ?? []))\(trace)")
    }
}

// MARK: - rotating one broker's certificate (KAF-11)

extension ComposeCluster {
    /// Issues broker `broker` a new certificate from the same CA (`scripts/make-certs.sh DIR --rotate kafka-N`,
    /// same subject and SANs) into its certificate folder, which its container mounts, under a new file
    /// name, and points the broker's two secured listeners at it with a dynamic broker config
    /// (`listener.name.*.ssl.keystore.location`). The broker reloads the keystore in place: connections
    /// stay up and only new handshakes see the new certificate, which is what a rotation in production
    /// should do (a rolling restart would test a broker outage instead). Only file paths reach command
    /// lines; the key stays in its file. Returns the new certificate's serial, as the script printed it.
    public func rotateCertificate(broker: Int32) async throws -> String {
        guard let security = extras.security else {
            throw Unsupported(
                capability: .security, backend: backend,
                hint: "start the cluster with `make up-secure` and run with KAFKA_BDD_SECURE=1")
        }
        let service = try service(broker)
        let script = URL(fileURLWithPath: composeFile).deletingLastPathComponent()
            .appendingPathComponent("scripts/make-certs.sh").path
        let output = try await runner.run(["bash", script, security.certificates, "--rotate", service], input: nil)
        let prefix = "rotated \(service) serial="
        guard let line = output.split(separator: "\n").last(where: { $0.hasPrefix(prefix) }) else {
            throw KafkaError.invalidArgument("make-certs.sh --rotate \(service) did not report a new certificate")
        }
        let serial = String(line.dropFirst(prefix.count))
        guard !serial.isEmpty, serial.allSatisfy(\.isHexDigit) else {
            throw KafkaError.invalidArgument("make-certs.sh --rotate \(service) reported no serial")
        }
        let location = "/etc/kafka-bdd/certs/keystore-\(serial).pem"
        let tool = try await adminTool()
        _ = try await compose([
            "exec", "-T", tool, "/opt/kafka/bin/kafka-configs.sh", "--bootstrap-server",
            "\(tool):19092", "--alter", "--entity-type", "brokers", "--entity-name", String(broker),
            "--add-config",
            "listener.name.secured.ssl.keystore.location=\(location),"
                + "listener.name.mtls.ssl.keystore.location=\(location)",
        ])
        return serial
    }

    /// The serial of the certificate broker `broker`'s mTLS listener presents to a new TLS connection now,
    /// read on the wire (`openssl s_client`), not from the files: what the broker serves, not what was issued.
    public func presentedSerial(broker: Int32) async throws -> String {
        guard let security = extras.security else {
            throw Unsupported(
                capability: .security, backend: backend,
                hint: "start the cluster with `make up-secure` and run with KAFKA_BDD_SECURE=1")
        }
        let addresses = security.mtlsBootstrap.split(separator: ",").map(String.init)
        guard let index = topology.brokerIds.firstIndex(of: broker), index < addresses.count else {
            throw KafkaError.unknownPartition("no mTLS address for broker \(broker)")
        }
        let hello = try await runner.run(
            [
                "openssl", "s_client", "-connect", addresses[index],
                "-servername", "localhost", "-CAfile", security.certificates + "/ca.pem",
                "-cert", security.certificates + "/client.pem",
                "-key", security.certificates + "/client.key",
            ], input: "")
        guard let begin = hello.range(of: "-----BEGIN CERTIFICATE-----"),
            let end = hello.range(of: "-----END CERTIFICATE-----", range: begin.upperBound..<hello.endIndex)
        else {
            throw KafkaError.transport("broker \(broker)'s mTLS listener presented no certificate")
        }
        let pem = String(hello[begin.lowerBound..<end.upperBound]) + "\n"
        let serial = try await runner.run(["openssl", "x509", "-noout", "-serial"], input: pem)
        guard let value = serial.split(separator: "\n").first(where: { $0.hasPrefix("serial=") })?.dropFirst(7),
            !value.isEmpty
        else {
            throw KafkaError.transport("openssl read no serial from broker \(broker)'s certificate")
        }
        return String(value)
    }
}
