import Foundation
import KafkaClient
import Cluster
import Verification

/// The KAF-09 drills: connectors through the REST API, their records read back.
public enum ConnectDrill {
    /// A FileStreamSource connector: the file it reads, the topic it writes, the transforms between.
    public struct Source: Sendable {
        public var connector: String
        public var file: String
        public var topic: String
        public var chain: TransformChain
        public var lines: [String]

        public init(connector: String, file: String, topic: String, chain: TransformChain, lines: [String]) {
            self.connector = connector
            self.file = file
            self.topic = topic
            self.chain = chain
            self.lines = lines
        }
    }

    public static let filePlugins = [
        "org.apache.kafka.connect.file.FileStreamSourceConnector",
        "org.apache.kafka.connect.file.FileStreamSinkConnector",
    ]
    public static let runDeadline: Duration = .seconds(30)

    public static func rest(_ compose: ComposeCluster) throws -> ConnectREST {
        guard let url = compose.extras.connectURL else {
            throw Unsupported(
                capability: .connect, backend: compose.backend, hint: "docker-compose.yml's connect service")
        }
        return ConnectREST(base: url)
    }

    /// The transforms of a `| transform | settings |` table.
    public static func chain(from table: [[String]]?) throws -> TransformChain {
        guard let table, table.count > 1, table[0].map({ $0.lowercased() }) == ["transform", "settings"] else {
            throw DrillFailure("the step needs a table with the columns | transform | settings |")
        }
        var transforms: [MessageTransform] = []
        for (i, row) in table.dropFirst().enumerated() {
            guard row.count == 2 else { throw DrillFailure("transform row \(i + 1): two cells needed") }
            var settings: [String: String] = [:]
            for pair in row[1].split(separator: ",") {
                let kv = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard kv.count == 2 else { throw DrillFailure("transform row \(i + 1): \"\(pair)\" is not key=value") }
                settings[kv[0]] = kv[1]
            }
            func pairs(_ key: String) -> [(String, String)] {
                (settings[key] ?? "").split(separator: ",").compactMap { item in
                    let p = item.split(separator: ":", maxSplits: 1).map(String.init)
                    return p.count == 2 ? (p[0], p[1]) : nil
                }
            }
            func list(_ key: String) -> [String] {
                (settings[key] ?? "").split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            }
            switch row[0].replacingOccurrences(of: "$Value", with: "") {
            case "HoistField":
                guard let field = settings["field"] else { throw DrillFailure("HoistField needs field=NAME") }
                transforms.append(.hoist(field: field))
            case "InsertField":
                guard let field = settings["static.field"], let value = settings["static.value"] else {
                    throw DrillFailure("InsertField needs static.field=NAME, static.value=VALUE")
                }
                transforms.append(.insertStatic(field: field, value: value))
            case "Cast":
                let spec = pairs("spec")
                guard !spec.isEmpty else { throw DrillFailure("Cast needs spec=FIELD:TYPE") }
                transforms.append(.cast(spec: spec.map { (field: $0.0, type: $0.1) }))
            case "ReplaceField":
                transforms.append(
                    .replace(
                        exclude: list("exclude").filter { !$0.isEmpty },
                        include: list("include").filter { !$0.isEmpty },
                        renames: pairs("renames").map { (from: $0.0, to: $0.1) }))
            default:
                throw DrillFailure(
                    "transform row \(i + 1): \"\(row[0])\" is not HoistField, InsertField, Cast "
                        + "or ReplaceField")
            }
        }
        return TransformChain(transforms)
    }

    public static func sourceConfig(_ source: Source) -> [String: String] {
        var config = [
            "connector.class": "org.apache.kafka.connect.file.FileStreamSourceConnector", "tasks.max": "1",
            "file": source.file, "topic": source.topic,
            "key.converter": "org.apache.kafka.connect.storage.StringConverter",
            "value.converter": "org.apache.kafka.connect.json.JsonConverter", "value.converter.schemas.enable": "false",
        ]
        let aliases = source.chain.transforms.indices.map { "t\($0 + 1)" }
        if !aliases.isEmpty { config["transforms"] = aliases.joined(separator: ",") }
        for (alias, t) in zip(aliases, source.chain.transforms) {
            config.merge(t.connectConfig(alias: alias)) { _, b in b }
        }
        return config
    }

    /// The file first (the connector reads it from its start), then the connector.
    public static func startSource(_ compose: ComposeCluster, _ source: Source) async throws -> [String: String] {
        try await compose.writeConnectFile(source.file, lines: source.lines, append: false)
        let config = sourceConfig(source)
        let rest = try rest(compose)
        try await rest.put(connector: source.connector, config: config)
        try await rest.awaitRunning(source.connector, within: runDeadline)
        return config
    }

    public static func restartAndAppend(_ compose: ComposeCluster, _ source: Source, lines: [String])
        async throws
    {
        let rest = try rest(compose)
        try await rest.restart(source.connector)
        try await rest.awaitRunning(source.connector, within: runDeadline)
        try await compose.writeConnectFile(source.file, lines: lines, append: true)
    }

    public static func startSink(
        _ compose: ComposeCluster, name: String, topic: String, file: String,
        deadLetters: String
    ) async throws {
        let rest = try rest(compose)
        try await rest.put(
            connector: name,
            config: [
                "connector.class": "org.apache.kafka.connect.file.FileStreamSinkConnector", "tasks.max": "1",
                "topics": topic, "file": file,
                "key.converter": "org.apache.kafka.connect.storage.StringConverter",
                "value.converter": "org.apache.kafka.connect.json.JsonConverter",
                "value.converter.schemas.enable": "false",
                "errors.tolerance": "all", "errors.log.enable": "true",
                "errors.deadletterqueue.topic.name": deadLetters,
                "errors.deadletterqueue.context.headers.enable": "true",
            ])
        try await rest.awaitRunning(name, within: runDeadline)
    }

    /// Each connector deleted (a 404 is fine), then the files removed; what was done, for the report.
    public static func cleanUp(_ compose: ComposeCluster, connectors: [String], files: [String]) async throws
        -> [String]
    {
        let rest = try rest(compose)
        var done: [String] = []
        for name in connectors {
            try await rest.delete(name)
            done.append("connector \(name) deleted")
        }
        try await compose.removeConnectFiles(files)
        if !files.isEmpty { done.append("files \(files.joined(separator: ", ")) removed") }
        return done
    }

    public static func writeSinkInput(_ cluster: any Cluster, topic: String, count: Int, malformedEvery: Int)
        async throws -> [ConnectDeadLetterExpectation.Input]
    {
        let producer = try Producer(config: cluster.config(["acks": "all"]))
        defer { producer.close() }
        var input: [ConnectDeadLetterExpectation.Input] = []
        for i in 1...count {
            let malformed = i % malformedEvery == 0
            let value = malformed ? "{not json \(i)" : String(1000 + i)
            let report = try await producer.send(
                topic: topic, partition: 0, key: Array("k\(i)".utf8), value: Array(value.utf8))
            input.append(.init(partition: report.partition, offset: report.offset, value: value, malformed: malformed))
        }
        return input
    }

    /// The topic read back (JSON objects as records) until it holds `count` records or the time is up.
    public static func awaitRecords(_ cluster: any Cluster, topic: String, count: Int, within limit: Duration)
        async throws -> [Record]
    {
        let deadline = ContinuousClock.now + limit
        var records: [ConsumedRecord] = []
        repeat {
            records = try await CompactionDrill.readPartition(cluster, topic: topic)
            if records.count >= count { break }
            try await Task.sleep(for: .seconds(1))  // polling interval of the deadline loop
        } while ContinuousClock.now < deadline
        return records.map { JSONRecord.parse($0.value) }
    }

    public static func awaitSink(
        _ compose: ComposeCluster, cluster: any Cluster, file: String, deadLetters: String,
        input: [ConnectDeadLetterExpectation.Input], within limit: Duration
    ) async throws
        -> (letters: [ConnectDeadLetterExpectation.Letter], sunk: [String])
    {
        let bad = input.filter(\.malformed).count, good = input.count - bad
        let deadline = ContinuousClock.now + limit
        var letters: [ConnectDeadLetterExpectation.Letter] = [], sunk: [String] = []
        repeat {
            sunk = try await compose.readConnectFile(file)
            let high = try await cluster.watermarks(topic: deadLetters, partition: 0).high
            if high >= bad {
                letters = try await CompactionDrill.readPartition(cluster, topic: deadLetters).map { r in
                    .init(
                        value: r.valueString,
                        headers: Dictionary(
                            r.headers.map {
                                ($0.0, String(decoding: $0.1, as: UTF8.self))
                            }
                        ) { a, _ in a })
                }
            }
            if sunk.count >= good && letters.count >= bad { break }
            try await Task.sleep(for: .seconds(1))  // polling interval of the deadline loop
        } while ContinuousClock.now < deadline
        return (letters, sunk)
    }
}

/// A record value as the JSON converter wrote it, as the transform oracle's `Record`.
public enum JSONRecord {
    public static func parse(_ bytes: [UInt8]) -> Record {
        let data = Data(bytes)
        if let object = try? JSONDecoder().decode([String: Scalar].self, from: data) {
            return .fields(object.sorted { $0.key < $1.key }.map { ($0.key, $0.value.field) })
        }
        if let scalar = try? JSONDecoder().decode(Scalar.self, from: data) { return .primitive(scalar.field) }
        return .primitive(.string(String(decoding: bytes, as: UTF8.self)))
    }

    public struct Scalar: Decodable {
        public let field: FieldValue
        public init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if c.decodeNil() {
                field = .null
            } else if let b = try? c.decode(Bool.self) {
                field = .bool(b)
            } else if let i = try? c.decode(Int64.self) {
                field = .int(i)
            } else if let d = try? c.decode(Double.self) {
                field = .double(d)
            } else {
                field = .string(try c.decode(String.self))
            }
        }
    }
}
