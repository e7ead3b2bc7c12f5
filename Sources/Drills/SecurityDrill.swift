import Cluster
import Foundation
import KafkaClient
import Synchronization
import Verification

/// The KAF-11 drills: certificates made with openssl, clients on the secured listeners, the matrix attempted.
public enum SecurityDrill {
    public struct ClientFiles: Sendable {
        public var directory: String
        public var ca: String
        public var certificate: String
        public var key: String
    }

    /// A CA and a client certificate it signed, valid for `days` from now (negative: expired that long ago).
    public static func makeClientCertificate(days: Int) async throws -> ClientFiles {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kafka-bdd-certs-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let files = ClientFiles(
            directory: dir, ca: dir + "/ca.pem", certificate: dir + "/client.pem", key: dir + "/client.key")
        let openssl = ProcessRunner(timeout: .seconds(30))
        do {
            _ = try await openssl.run(
                [
                    "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", dir + "/ca.key",
                    "-out", files.ca, "-days", "2", "-subj", "/CN=kafka-bdd test CA",
                ], input: nil)
            _ = try await openssl.run(
                [
                    "openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", files.key,
                    "-out", dir + "/client.csr", "-subj", "/CN=kafka-bdd-client",
                ], input: nil)
            _ = try await openssl.run(
                [
                    "openssl", "x509", "-req", "-in", dir + "/client.csr", "-CA", files.ca,
                    "-CAkey", dir + "/ca.key", "-CAcreateserial", "-out", files.certificate,
                    "-days", String(days),
                ], input: nil)
        } catch {
            try? FileManager.default.removeItem(atPath: dir)
            throw DrillFailure("openssl could not make the test certificates (is openssl installed?): \(error)")
        }
        return files
    }

    /// Creating a TLS client with these files must fail at once: the error's text, nil when it was created.
    public static func refusal(_ files: ClientFiles) -> String? {
        let config = KafkaConfig([
            "bootstrap.servers": "127.0.0.1:9", "security.protocol": "SSL",
            "ssl.ca.location": files.ca, "ssl.certificate.location": files.certificate,
            "ssl.key.location": files.key,
        ])
        do {
            let producer = try Producer(config: config)
            producer.close()
        } catch {
            return "\(error)"
        }
        return nil
    }

    public static func password() -> String {
        let alphabet = Array("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789")
        return String((0..<24).map { _ in alphabet.randomElement()! })
    }

    public static func certificates(_ compose: ComposeCluster) throws -> ComposeCluster.Extras.Security {
        guard let security = compose.extras.security else {
            throw Unsupported(
                capability: .security, backend: compose.backend,
                hint: "start the cluster with `make up-secure` and run with KAFKA_BDD_SECURE=1")
        }
        return security
    }

    public static func tlsConfig(_ s: ComposeCluster.Extras.Security, bootstrap: String) -> [String: String] {
        [
            "bootstrap.servers": bootstrap, "ssl.ca.location": s.certificates + "/ca.pem",
            "ssl.endpoint.identification.algorithm": "https",
        ]
    }

    public static func saslConfig(_ s: ComposeCluster.Extras.Security, user: String, password: String) -> KafkaConfig {
        KafkaConfig(
            tlsConfig(s, bootstrap: s.saslBootstrap).merging([
                "security.protocol": "SASL_SSL", "sasl.mechanism": "SCRAM-SHA-512", "sasl.username": user,
                "sasl.password": password,
            ]) { _, b in b })
    }

    /// Metadata on the mTLS listener, with or without the client certificate: the error, nil when it came.
    public static func mtlsError(_ compose: ComposeCluster, withCertificate: Bool) async throws -> String? {
        let s = try certificates(compose)
        var config = tlsConfig(s, bootstrap: s.mtlsBootstrap)
        config["security.protocol"] = "SSL"
        if withCertificate {
            config["ssl.certificate.location"] = s.certificates + "/client.pem"
            config["ssl.key.location"] = s.certificates + "/client.key"
        }
        let admin = try Admin(config: KafkaConfig(config))
        defer { admin.close() }
        do {
            _ = try await admin.metadata(topic: nil, timeout: .seconds(10))
        } catch {
            return "\(error)"
        }
        return nil
    }

    /// Metadata on the SASL_SSL listener with a wrong password and with the right one: how each ended.
    public static func passwordAttempts(_ compose: ComposeCluster, user: String, password: String) async throws
        -> (wrong: Access.Failure?, right: Access.Failure?)
    {
        let s = try certificates(compose)
        func attempt(_ password: String) async throws -> Access.Failure? {
            let admin = try Admin(config: saslConfig(s, user: user, password: password))
            defer { admin.close() }
            do {
                _ = try await admin.metadata(topic: nil, timeout: .seconds(10))
                return nil
            } catch let error as KafkaError {
                let authentication = error.name == "_AUTHENTICATION" || error.detail.contains("Authentication failed")
                return Access.Failure(name: error.name, authentication: authentication, description: "\(error)")
            }
        }
        let wrong = try await attempt(password + "-wrong")
        let right = try await attempt(password)
        return (wrong, right)
    }

    /// An allowed row as an ACL on the cluster: the scenario's user and its topic or (scoped) group.
    /// - Parameters:
    ///   - users: user as written → (SCRAM user on the cluster, its password).
    ///   - topics: topic as written → the scenario's topic; `scope` names the rest.
    public static func acl(
        _ e: PermissionMatrix.Entry, users: [String: (name: String, password: String)],
        topics: [String: String], scope: String
    ) throws -> ComposeCluster.ACL {
        ComposeCluster.ACL(
            principal: try principal(e.principal, users: users), operation: e.operation.rawValue,
            resource: resource(e.resource, topics: topics, scope: scope))
    }

    public static func principal(_ written: String, users: [String: (name: String, password: String)]) throws
        -> String
    {
        let name = written.hasPrefix("User:") ? String(written.dropFirst(5)) : written
        guard let user = users[name] else {
            throw DrillFailure("\(written) is not a SCRAM user of this scenario")
        }
        return "User:" + user.name
    }

    public static func resource(_ r: PermissionMatrix.Resource, topics: [String: String], scope: String) -> String {
        switch r.kind {
        case .cluster: return "cluster"
        case .topic: return "topic:" + (topics[r.name] ?? "\(r.name)-\(scope)")
        case .group: return "group:\(r.name)-\(scope)"
        }
    }

    /// One row attempted as its principal on the SASL_SSL listener.
    public static func attempt(
        _ e: PermissionMatrix.Entry, compose: ComposeCluster,
        users: [String: (name: String, password: String)], matrix: PermissionMatrix?,
        topics: [String: String], scope: String
    ) async throws -> PermissionMatrix.Outcome {
        let s = try certificates(compose)
        let name = e.principal.hasPrefix("User:") ? String(e.principal.dropFirst(5)) : e.principal
        guard let user = users[name] else { throw DrillFailure("\(e.principal) is not a SCRAM user of this scenario") }
        let config = saslConfig(s, user: user.name, password: user.password)
        let target = String(
            resource(e.resource, topics: topics, scope: scope)
                .split(separator: ":", maxSplits: 1).last ?? "")
        do {
            switch (e.operation, e.resource.kind) {
            case (.write, .topic):
                let producer = try Producer(config: config.merging(KafkaConfig(["message.timeout.ms": "10000"])))
                defer { producer.close() }
                try await producer.send(topic: target, key: nil, value: Array("matrix".utf8))
            case (.describe, .topic):
                let admin = try Admin(config: config)
                defer { admin.close() }
                let md = try await admin.metadata(topic: target, timeout: .seconds(10))
                if let error = md.topic(target)?.error, error != 0 {
                    throw KafkaError(code: error, detail: "metadata of \(target)")
                }
            case (.read, .topic):
                try await readOne(config, topic: target, group: nil)
            case (.read, .group):
                let topic = try readableTopic(e, matrix: matrix, topics: topics, scope: scope)
                try await readOne(config, topic: topic, group: target)
            case (.create, .topic):
                let admin = try Admin(config: config)
                defer { admin.close() }
                try await admin.createTopics([TopicSpec(name: target, partitions: 1, replicationFactor: 1)])
                try? await compose.deleteTopics([target])
            default:
                return .failed(
                    error: "this step does not attempt \(e.operation.rawValue) on a \(e.resource.kind.rawValue)")
            }
            return .succeeded
        } catch let error as KafkaError {
            return PermissionMatrix.outcome(errorName: error.name)
        } catch let failure as DrillFailure {
            let words = failure.description.split(whereSeparator: { !$0.isLetter && $0 != "_" }).map(String.init)
            return PermissionMatrix.outcome(
                errorName: words.first { $0.hasSuffix("AUTHORIZATION_FAILED") }
                    ?? "NO_RESULT: \(failure.description)")
        }
    }

    /// One record on each topic of the matrix that the scenario created, written with the cluster's own
    /// client (not a matrix principal), so that an allowed Read has something to read.
    public static func seed(_ matrix: PermissionMatrix, cluster: any Cluster, topics: [String: String]) async throws {
        let seeded = Set(matrix.entries.filter { $0.resource.kind == .topic }.compactMap { topics[$0.resource.name] })
        guard !seeded.isEmpty else { return }
        let producer = try Producer(config: cluster.config(["acks": "all"]))
        defer { producer.close() }
        for topic in seeded.sorted() {
            try await producer.send(topic: topic, partition: 0, key: nil, value: Array("seed".utf8))
        }
    }

    /// The group's row needs a topic to join it with: the first topic this principal may read.
    public static func readableTopic(
        _ e: PermissionMatrix.Entry, matrix: PermissionMatrix?, topics: [String: String],
        scope: String
    ) throws -> String {
        guard
            let row = matrix?.entries.first(where: {
                $0.principal == e.principal && $0.operation == .read && $0.resource.kind == .topic && $0.allowed
            })
        else {
            throw DrillFailure("\(e.principal) Read \(e.resource) needs a topic \(e.principal) may read in the matrix")
        }
        return String(resource(row.resource, topics: topics, scope: scope).dropFirst("topic:".count))
    }

    /// Reads one record (with `group`, by joining it): an error the consumer reports, or a failure when
    /// nothing came within 15 s.
    public static func readOne(_ config: KafkaConfig, topic: String, group: String?) async throws {
        let consumer = try Consumer(
            config: config.merging(
                KafkaConfig([
                    "group.id": group ?? "kafka-bdd-matrix-\(UUID().uuidString)", "auto.offset.reset": "earliest",
                    "enable.auto.commit": "false",
                ])))
        let seen = Mutex<KafkaError?>(nil)
        if group != nil {
            try consumer.subscribe([topic])
        } else {
            try await consumer.assignKnowingLeaders(
                [TopicPartitionOffset(topic: topic, partition: 0, offset: TopicPartitionOffset.beginning)]
            )
        }
        let records = try await consumer.records(
            atMost: 1, within: .seconds(15), until: { _ in seen.withLock { $0 != nil } },
            onError: { e in seen.withLock { $0 = $0 ?? e } })
        await consumer.close()
        if let error = seen.withLock({ $0 }), records.isEmpty { throw error }
        if records.isEmpty { throw DrillFailure("NO_RECORD within 15 s from \(topic)") }
    }
}

// MARK: - rotating one broker's certificate while producing (KAF-11)

extension SecurityDrill {
    /// What a rotation drill saw: the serial broker `broker` presented on the wire before, the one issued,
    /// and every error the producer reported (error events and failed deliveries), by name.
    public struct Rotation: Sendable {
        public var broker: Int32
        public var before: String
        public var issued: String
        public var errors: [String: Int]
    }

    /// The mTLS client's principal (the client certificate's subject), which the drill's producer writes as.
    public static let clientPrincipal = "User:CN=kafka-bdd-client"

    /// Produces `count` records at least, through the mTLS listener with the ledger recording every send and
    /// report; once half are sent and some are in flight, rotates broker `broker`'s certificate and keeps
    /// producing until the rotation returned. Delivery times out after 30 s, so a record the rotation
    /// stranded shows as failed rather than hanging the step.
    public static func produceThroughRotation(
        _ compose: ComposeCluster, broker: Int32, count: Int, topic: String,
        ledger: DeliveryLedger
    ) async throws -> Rotation {
        let s = try certificates(compose)
        let before = try await compose.presentedSerial(broker: broker)
        var config = tlsConfig(s, bootstrap: s.mtlsBootstrap)
        config.merge([
            "security.protocol": "SSL", "ssl.certificate.location": s.certificates + "/client.pem",
            "ssl.key.location": s.certificates + "/client.key", "acks": "all",
            "enable.idempotence": "true", "message.timeout.ms": "30000",
        ]) { _, new in new }
        let errors = Counts()
        let producer = try Producer(
            config: KafkaConfig(config),
            onDelivery: { report in
                if let error = report.error { errors.add(error.name) }
                ledger.record(report)
            }, onError: { error in errors.add(error.name) })
        defer { producer.close() }
        var rotation: Task<String, any Error>?
        let rotated = Flag()
        var id = UInt64(ledger.sentCount)
        var sent = 0
        while sent < count || !rotated.isSet {
            id += 1
            sent += 1
            let key = "key-\(id % 50)"
            ledger.sending(id, key: key, topic: topic)
            try producer.produce(topic: topic, key: Array(key.utf8), value: Payload.make(id: id, size: 100), token: id)
            if rotation == nil, sent >= count / 2, ledger.pendingCount > 0 || sent >= count {
                rotation = Task {
                    defer { rotated.set() }
                    return try await compose.rotateCertificate(broker: broker)
                }
            }
            // A steady stream, not a burst: records keep going out while the broker reloads its keystore.
            if sent % 5 == 0 { try await Task.sleep(for: .milliseconds(5)) }
        }
        guard let rotation else { throw DrillFailure("the certificate was never rotated") }
        let issued = try await rotation.value
        try await producer.flush(timeout: .seconds(60))
        return Rotation(broker: broker, before: before, issued: issued, errors: errors.all)
    }
}

/// Error names counted from librdkafka's callbacks, and a flag the rotation raises when it returned.
private final class Counts: Sendable {
    private let counts = Mutex<[String: Int]>([:])
    func add(_ name: String) { counts.withLock { $0[name, default: 0] += 1 } }
    var all: [String: Int] { counts.withLock { $0 } }
}

private final class Flag: Sendable {
    private let value = Mutex(false)
    func set() { value.withLock { $0 = true } }
    var isSet: Bool { value.withLock { $0 } }
}

extension SecurityDrill {
    /// Each row of the matrix attempted as its principal; the outcomes by row, and a Markdown table of them.
    public static func attemptAll(
        _ matrix: PermissionMatrix, compose: ComposeCluster, users: [String: (name: String, password: String)],
        topics: [String: String], scope: String
    ) async throws -> (observed: [PermissionMatrix.Entry.Key: PermissionMatrix.Outcome], table: String) {
        var observed: [PermissionMatrix.Entry.Key: PermissionMatrix.Outcome] = [:]
        var rows: [[String]] = []
        for entry in matrix.entries {
            let outcome = try await attempt(
                entry, compose: compose, users: users, matrix: matrix, topics: topics,
                scope: scope)
            observed[entry.key] = outcome
            rows.append([
                entry.principal, entry.operation.rawValue, entry.resource.description,
                entry.allowed ? "allowed" : "denied", outcome.description,
            ])
        }
        return (observed, Evidence.table(["principal", "operation", "resource", "expected", "observed"], rows))
    }

    /// The serial broker N's mTLS listener presents, read until it differs from `before` or ten seconds
    /// pass (the broker reloads its keystore when it replays the config change, after the alter returned).
    public static func awaitPresentedSerial(_ compose: ComposeCluster, broker: Int32, other before: String)
        async throws -> String
    {
        let deadline = ContinuousClock.now + .seconds(10)
        var now = try await compose.presentedSerial(broker: broker)
        while now == before, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(500))  // polling interval of the deadline loop
            now = try await compose.presentedSerial(broker: broker)
        }
        return now
    }
}

extension SecurityDrill {
    /// The rotation drill as KAF-11 states it: the mTLS client granted Write and Describe on the scenario's
    /// topics (each told to `granting` before it is added, for the clean-up), then `produceThroughRotation` on
    /// the first of them. Returns what the drill saw, the producer's errors as a table and a summary for the log.
    public static func rotationDrill(
        _ compose: ComposeCluster, broker: Int32, count: Int, topics: [String: String], ledger: DeliveryLedger,
        granting: ([ComposeCluster.ACL]) -> Void
    ) async throws -> (rotation: Rotation, table: String, summary: String) {
        let sorted = topics.sorted { $0.key < $1.key }
        guard let topic = sorted.first?.value, count > 1 else {
            throw DrillFailure("the rotation drill needs a topic made in this scenario and at least 2 records")
        }
        let acls = sorted.flatMap { _, physical in
            ["Write", "Describe"].map {
                ComposeCluster.ACL(principal: clientPrincipal, operation: $0, resource: "topic:" + physical)
            }
        }
        granting(acls)
        try await compose.addACLs(acls)
        let rotation = try await produceThroughRotation(
            compose, broker: broker, count: count, topic: topic, ledger: ledger)
        let table = Evidence.table(
            ["error seen by the producer", "times"],
            rotation.errors.sorted { $0.key < $1.key }.map { [$0.key, "\($0.value)"] })
        let summary =
            "broker \(broker) presented serial \(rotation.before), was issued \(rotation.issued); "
            + "\(ledger.sentCount) records sent"
        return (rotation, table, summary)
    }

    /// The permission matrix granted as KAF-11 states it: one ACL per allowed row and nothing more, then the
    /// topics the denied reads need seeded. The ACLs are told to `granting` before they are added (for the
    /// clean-up); returns their table.
    public static func grant(
        _ matrix: PermissionMatrix, compose: ComposeCluster, cluster: any Cluster,
        users: [String: (name: String, password: String)], topics: [String: String], scope: String,
        granting: ([ComposeCluster.ACL]) -> Void
    ) async throws -> String {
        let acls = try matrix.grants.map { try acl($0, users: users, topics: topics, scope: scope) }
        granting(acls)
        try await compose.addACLs(acls)
        try await seed(matrix, cluster: cluster, topics: topics)
        return Evidence.table(
            ["principal", "operation", "resource"], acls.map { [$0.principal, $0.operation, $0.resource] })
    }
}
