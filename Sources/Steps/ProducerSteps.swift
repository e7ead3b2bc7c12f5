import Foundation
import Runtime
import KafkaClient
import Cluster
import Drills
import Verification
import Synchronization

/// Sentences about producer APIs, value formats and producer tuning (KAF-03).
enum ProducerSteps {
    static func order(_ id: UInt64) -> String {
        #"{"id":\#(id),"customer":"c-\#(id % 7)","amount":\#(Double(id % 1000) / 10),"currency":"EUR"}"#
    }

    static func register(_ code: inout SupportCode, _ env: KafkaEnvironment) {
        code.when("I send {int} JSON orders to {string} one at a time, waiting for each acknowledgement",
                  doc: "A synchronous producer: every send waits for its delivery report before the next one.",
                  example: #"When I send 100 JSON orders to "orders" one at a time, waiting for each acknowledgement"#
        ) { (ctx, count: Int, topicName: String) in
            let topic = try ctx.topic(topicName)
            let producer = try Producer(config: try ctx.cluster().config(["acks": "all", "linger.ms": "0"]))
            defer { producer.close() }
            ctx.produced(idempotent: false)
            // Ids continue the scenario's: orders sent to two topics in one scenario never share one.
            let first = UInt64(ctx.ledger.sentCount) + 1
            for id in first..<first + UInt64(count) {
                let json = order(id)
                ctx.ledger.sending(id, key: "order-\(id)", topic: topic)
                let report = try await producer.send(topic: topic, key: Array("order-\(id)".utf8), value: Array(json.utf8))
                ctx.ledger.acknowledged(id, partition: report.partition, offset: report.offset)
                ctx.world.update(ProducerState.Key.self) { $0.sentValues[id] = json }
            }
        }

        code.when("I send {int} JSON orders to {string} asynchronously with a delivery callback",
                  doc: "An asynchronous producer: sends are enqueued at once and a delivery callback reports each one.",
                  example: #"When I send 1000 JSON orders to "orders" asynchronously with a delivery callback"#
        ) { (ctx, count: Int, topicName: String) in
            let topic = try ctx.topic(topicName)
            let ledger = ctx.ledger
            let reports = Mutex<[DeliveryReport]>([])
            let producer = try Producer(config: try ctx.cluster().config(["acks": "all", "linger.ms": "5"]),
                                        onDelivery: { r in reports.withLock { $0.append(r) }; ledger.record(r) })
            defer { producer.close() }
            ctx.produced(idempotent: false)
            let first = UInt64(ledger.sentCount) + 1
            for id in first..<first + UInt64(count) {
                let json = order(id)
                ledger.sending(id, key: "order-\(id)", topic: topic)
                ctx.world.update(ProducerState.Key.self) { s in
                    s.sentValues[id] = json
                    s.callbackIds.insert(id)
                    s.callbackTopics.insert(topic)
                }
                try producer.produce(topic: topic, key: Array("order-\(id)".utf8), value: Array(json.utf8), token: id)
            }
            try await producer.flush()
            ctx.world.update(ProducerState.Key.self) { $0.deliveryReports += reports.withLock { $0 } }
        }

        code.then("the delivery callback reported every order acknowledged with its partition and offset",
                  doc: "One report per order sent with the callback, none with an error, each naming the partition "
                      + "and offset where the record is read back from the cluster.",
                  example: "Then the delivery callback reported every order acknowledged with its partition and offset") { ctx in
            let state = ctx.world[ProducerState.Key.self]
            var readBack: [UInt64: [DeliveryReports.Place]] = [:]
            for topic in state.callbackTopics.sorted() {
                let partitions = ctx.scenario.state.withLock { s in
                    s.topics.first { $0.value == topic }.flatMap { s.partitions[$0.key] } ?? 1
                }
                for r in try await ConsumingSteps.readTopic(ctx, topic: topic, partitions: partitions) {
                    guard let key = r.keyString, key.hasPrefix("order-"), let id = UInt64(key.dropFirst(6))
                    else { continue }
                    readBack[id, default: []].append(.init(partition: r.partition, offset: r.offset))
                }
            }
            let reports = state.deliveryReports.map {
                DeliveryReports.Report(id: $0.token, partition: $0.partition, offset: $0.offset,
                                       error: $0.error?.description)
            }
            try DeliveryReports.verdict(sent: state.callbackIds, reports: reports, readBack: readBack).enforce()
        }

        code.then("every order read back from {string} is the JSON that was sent",
                  doc: "Reads the topic and decodes every value as JSON: each equals the order sent under its key.",
                  example: #"Then every order read back from "orders" is the JSON that was sent"#
        ) { (ctx, name: String) in
            let topic = try ctx.topic(name)
            let partitions = ctx.scenario.state.withLock { $0.partitions[name] ?? 1 }
            let sent = ctx.world[ProducerState.Key.self].sentValues
            let records = try await ConsumingSteps.readTopic(ctx, topic: topic, partitions: partitions)
            let read = records.map { Producing.KeyedValue(key: $0.keyString, value: $0.value) }
            try Producing.ordersAsJSON(sent: sent, read: read).enforce()
        }

        code.when("I benchmark producing {int} messages of {int} bytes to {string} with these configurations:",
                  doc: "Runs the producer benchmark once per row (columns acks, linger.ms, compression.type) and attaches a table and a throughput chart.",
                  example: #"When I benchmark producing 20000 messages of 100 bytes to "bench" with these configurations:"#
        ) { (ctx, count: Int, size: Int, topicName: String) in
            let topic = try ctx.topic(topicName)
            guard let table = ctx.dataTable, let header = table.first, table.count > 1 else {
                throw StepFailure("give the configurations as a table with a header row, e.g. | acks | linger.ms | compression.type |")
            }
            var rows: [[String]] = []
            var results: [(String, BenchmarkResult)] = []
            for row in table.dropFirst() {
                var props = Dictionary(uniqueKeysWithValues: zip(header, row))
                props["enable.idempotence"] = props["acks"] == "all" ? "true" : "false"
                let result = try await Benchmark.produce(config: try ctx.cluster().config(props), topic: topic, messages: count, size: size)
                let label = zip(header, row).map { "\($0)=\($1)" }.joined(separator: " ")
                results.append((label, result))
                rows.append(row + [String(format: "%.0f", result.messagesPerSecond), String(format: "%.1f", result.megabytesPerSecond),
                                   String(format: "%.2f", result.p50 ?? 0), String(format: "%.2f", result.p95 ?? 0), String(format: "%.2f", result.p99 ?? 0),
                                   "\(result.errors)"])
            }
            ctx.world.update(ProducerState.Key.self) { $0.benchmarks = results.map { ($0.0, $0.1.messages, $0.1.errors) } }
            ctx.attach(Evidence.table(header + ["msg/s", "MB/s", "p50 ms", "p95 ms", "p99 ms", "errors"], rows), mediaType: "text/markdown")
            ctx.attach(Evidence.barChart(title: "Producer throughput (msg/s)", bars: results.map { ($0.0, $0.1.messagesPerSecond) }),
                       mediaType: "image/svg+xml")
            ctx.attach(Evidence.barChart(title: "Delivery latency p99 (ms)", bars: results.map { ($0.0, $0.1.p99 ?? 0) }), mediaType: "image/svg+xml")
        }

        code.then("every configuration delivered all {int} messages",
                  doc: "Each benchmarked configuration got an acknowledgement for every message and no error.",
                  example: "Then every configuration delivered all 20000 messages") { (ctx, expected: Int) in
            let runs = ctx.world[ProducerState.Key.self].benchmarks
            let plain = runs.map { Producing.BenchmarkRun(label: $0.label, delivered: $0.delivered, errors: $0.errors) }
            try Producing.everyConfigurationDelivered(expected, runs: plain).enforce()
        }

        code.when("the next {int} produce requests fail with {word}",
                  doc: "Injects a retriable broker error into the next produce requests (embedded cluster only).",
                  example: "When the next 5 produce requests fail with NOT_LEADER_FOR_PARTITION"
        ) { (ctx, count: Int, repeating: String) in
            try await ctx.injectErrors(.produce, Array(repeating: repeating, count: count))
        }

        code.when("produce request {int} from now fails with {word}",
                  doc: "The produce requests before it succeed and that one fails with the broker error (embedded "
                      + "cluster only): with requests in flight, the ones after it are answered before its retry.",
                  example: "When produce request 3 from now fails with NOT_ENOUGH_REPLICAS"
        ) { (ctx, n: Int, error: String) in
            guard n >= 1 else { throw StepFailure("requests are counted from 1") }
            try await ctx.injectErrors(.produce, Array(repeating: "NO_ERROR", count: n - 1) + [error])
        }
    }
}

/// What a scenario's producer steps remember: the values sent, delivery reports, benchmark runs.
struct ProducerState: Sendable {
    enum Key: WorldKey { static var defaultValue: ProducerState { ProducerState() } }
    var sentValues: [UInt64: String] = [:]
    var deliveryReports: [DeliveryReport] = []
    /// The orders sent with a delivery callback, and their topics: the callback claim is about these.
    var callbackIds: Set<UInt64> = []
    var callbackTopics: Set<String> = []
    var benchmarks: [(label: String, delivered: Int, errors: Int)] = []
}
