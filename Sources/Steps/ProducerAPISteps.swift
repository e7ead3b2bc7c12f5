import Foundation
import Runtime
import KafkaClient
import Cluster
import Drills
import Verification

/// Sentences about the producer APIs (synchronous, with a delivery callback), JSON values and producer
/// tuning by benchmark (KAF-03).
enum ProducerAPISteps {
    static func register(_ code: inout SupportCode, _ env: KafkaEnvironment) {
        code.when(
            "I send {int} JSON orders to {string} one at a time, waiting for each acknowledgement",
            doc: "A synchronous producer: every send waits for its delivery report before the next one.",
            example: #"When I send 100 JSON orders to "orders" one at a time, waiting for each acknowledgement"#
        ) { (ctx, count: Int, topicName: String) in
            ctx.produced(idempotent: false)
            let sent = try await ProducerDrills.sendOneAtATime(
                count, to: try ctx.topic(topicName),
                config: try ctx.cluster().config(["acks": "all", "linger.ms": "0"]), ledger: ctx.ledger)
            ctx.world.update(ProducerState.Key.self) { $0.sentValues.merge(sent) { $1 } }
        }

        code.when(
            "I send {int} JSON orders to {string} asynchronously with a delivery callback",
            doc: "An asynchronous producer: sends are enqueued at once and a delivery callback reports each one.",
            example: #"When I send 1000 JSON orders to "orders" asynchronously with a delivery callback"#
        ) { (ctx, count: Int, topicName: String) in
            let topic = try ctx.topic(topicName)
            ctx.produced(idempotent: false)
            let (sent, reports) = try await ProducerDrills.sendWithCallback(
                count, to: topic, config: try ctx.cluster().config(["acks": "all", "linger.ms": "5"]),
                ledger: ctx.ledger)
            ctx.world.update(ProducerState.Key.self) { s in
                s.sentValues.merge(sent) { $1 }
                s.callbackIds.formUnion(sent.keys)
                s.callbackTopics.insert(topic)
                s.deliveryReports += reports
            }
        }

        code.then(
            "the delivery callback reported every order acknowledged with its partition and offset",
            doc: "One report per order sent with the callback, none with an error, each naming the partition "
                + "and offset where the record is read back from the cluster.",
            example: "Then the delivery callback reported every order acknowledged with its partition and "
                + "offset"
        ) { ctx in
            let state = ctx.world[ProducerState.Key.self]
            let topics = state.callbackTopics.sorted().map { topic in
                (
                    topic,
                    ctx.scenario.state.withLock { s in
                        s.topics.first { $0.value == topic }.flatMap { s.partitions[$0.key] } ?? 1
                    }
                )
            }
            let readBack = try await ProducerDrills.orderPlaces(try ctx.cluster(), topics: topics)
            let reports = state.deliveryReports.map {
                DeliveryReports.Report(
                    id: $0.token, partition: $0.partition, offset: $0.offset,
                    error: $0.error?.description)
            }
            try DeliveryReports.verdict(sent: state.callbackIds, reports: reports, readBack: readBack).enforce()
        }

        code.then(
            "every order read back from {string} is the JSON that was sent",
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

        code.when(
            "I benchmark producing {int} messages of {int} bytes to {string} with these configurations:",
            doc: "Runs the producer benchmark once per row (columns acks, linger.ms, compression.type) and "
                + "attaches a table and a throughput chart.",
            example: #"When I benchmark producing 20000 messages of 100 bytes to "bench" with these "#
                + #"configurations:"#
        ) { (ctx, count: Int, size: Int, topicName: String) in
            let topic = try ctx.topic(topicName)
            guard let table = ctx.dataTable, let header = table.first, table.count > 1 else {
                throw StepFailure(
                    "give the configurations as a table with a header row, e.g. | acks | linger.ms | compression.type |"
                )
            }
            let run = try await ProducerDrills.benchmark(
                try ctx.cluster(), topic: topic, messages: count, size: size, header: header,
                rows: Array(table.dropFirst()))
            ctx.world.update(ProducerState.Key.self) {
                $0.benchmarks = run.runs.map { ($0.label, $0.result.messages, $0.result.errors) }
            }
            ctx.attach(run.table, mediaType: "text/markdown")
            for chart in run.charts { ctx.attach(chart, mediaType: "image/svg+xml") }
        }

        code.then(
            "every configuration delivered all {int} messages",
            doc: "Each benchmarked configuration got an acknowledgement for every message and no error.",
            example: "Then every configuration delivered all 20000 messages"
        ) { (ctx, expected: Int) in
            let runs = ctx.world[ProducerState.Key.self].benchmarks
            let plain = runs.map { Producing.BenchmarkRun(label: $0.label, delivered: $0.delivered, errors: $0.errors) }
            try Producing.everyConfigurationDelivered(expected, runs: plain).enforce()
        }

        code.when(
            "the next {int} produce requests fail with {word}",
            doc: "Injects a retriable broker error into the next produce requests (embedded cluster only).",
            example: "When the next 5 produce requests fail with NOT_LEADER_FOR_PARTITION"
        ) { (ctx, count: Int, repeating: String) in
            try await ctx.injectErrors(.produce, Array(repeating: repeating, count: count))
        }

        code.when(
            "produce request {int} from now fails with {word}",
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
