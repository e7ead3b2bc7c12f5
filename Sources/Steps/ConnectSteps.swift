import Foundation
import Runtime
import KafkaClient
import Cluster
import Drills
import Verification

/// Sentences about Kafka Connect (KAF-09): connectors created, restarted and deleted through the
/// worker's REST API, their output read back from the topics and the sink's file.
enum ConnectSteps {
    struct State: Sendable {
        enum Key: WorldKey { static var defaultValue: State { State() } }
        typealias Source = ConnectDrill.Source
        /// Connector as written in the feature → its source.
        var sources: [String: Source] = [:]
        /// Every connector (physical name) and file this scenario made, for the After hook.
        var connectors: [String] = []
        var files: [String] = []
        /// Per topic as written: the records written to it for a sink, malformed or not.
        var sinkInput: [String: [ConnectDeadLetterExpectation.Input]] = [:]
        /// The sink connector reading a topic (as written): its file and its dead-letter topic (as written).
        var sinks: [String: (file: String, deadLetters: String)] = [:]
    }

    static func register(_ code: inout SupportCode, _ env: KafkaEnvironment) {
        code.after(name: "delete the scenario's connectors and their files") { ctx in
            let state = ctx.world[State.Key.self]
            guard !state.connectors.isEmpty || !state.files.isEmpty,
                let compose = try? ctx.composeCluster(for: .connect, tools: "the Connect worker")
            else { return }
            for line in try await ConnectDrill.cleanUp(compose, connectors: state.connectors, files: state.files) {
                ctx.log(line)
            }
        }

        code.given(
            "a Kafka Connect worker with the file connectors",
            doc: "The Connect worker of docker-compose.yml answers on its REST API and offers "
                + "FileStreamSourceConnector and FileStreamSinkConnector (GET /connector-plugins); the "
                + "plugins are attached; needs a cluster that models a Kafka Connect worker (compose).",
            example: "Given a Kafka Connect worker with the file connectors"
        ) { ctx in
            let compose = try ctx.composeCluster(for: .connect, tools: "Kafka Connect workers")
            let plugins = try await ConnectDrill.rest(compose).plugins()
            ctx.attach(Evidence.table(["connector plugin"], plugins.map { [$0] }), mediaType: "text/markdown")
            let missing = ConnectDrill.filePlugins.filter { !plugins.contains($0) }
            if !missing.isEmpty { throw StepFailure("the worker does not offer \(missing) (plugin.path)") }
        }

        code.when(
            "the file source connector {string} reads {int} lines of amounts into {string} through these "
                + "transforms:",
            doc: "Writes that many lines (25, 50, 75, …) to a file in the worker's container and creates a "
                + "FileStreamSource connector on it (JSON values without schemas) with the table's transforms in "
                + "order: `| transform | settings |`, the transform being HoistField, InsertField (static), Cast "
                + "or ReplaceField and the settings `key=value` pairs separated by commas as Connect names them "
                + "(`field=amount`, `spec=amount:int32`, `static.field=source, static.value=file`, "
                + "`renames=amount:amount_cents`, `exclude=…`, `include=…`). Waits (30 s) until the connector "
                + "and its task run; needs a cluster that models a Kafka Connect worker (compose).",
            example: #"When the file source connector "amounts" reads 40 lines of amounts into "payments" "#
                + #"through these transforms:"#
        ) { (ctx, name: String, count: Int, topicName: String) in
            let compose = try ctx.composeCluster(for: .connect, tools: "Kafka Connect workers")
            let chain = try ConnectDrill.chain(from: ctx.dataTable)
            let physical = "\(name)-\(ctx.sharedScope)"
            let source = State.Source(
                connector: physical, file: "/tmp/kafka-bdd/\(physical).txt", topic: try ctx.topic(topicName),
                chain: chain, lines: (1...max(count, 1)).map { String($0 * 25) })
            ctx.world.update(State.Key.self) { s in
                s.connectors.append(physical)
                s.files.append(source.file)
                s.sources[name] = source
            }
            let config = try await ConnectDrill.startSource(compose, source)
            ctx.attach(
                Evidence.table(["setting", "value"], config.sorted { $0.key < $1.key }.map { [$0.key, $0.value] }),
                mediaType: "text/markdown")
        }

        code.when(
            "the connector {string} is restarted and {int} more lines are appended to its file",
            doc: "Restarts the connector and its tasks (POST /connectors/NAME/restart?includeTasks=true), waits "
                + "until they run again, and appends lines (continuing the amounts) to its source file; needs a "
                + "cluster that "
                + "models a Kafka Connect worker (compose).",
            example: #"When the connector "amounts" is restarted and 20 more lines are appended to its file"#
        ) { (ctx, name: String, more: Int) in
            let compose = try ctx.composeCluster(for: .connect, tools: "Kafka Connect workers")
            guard var source = ctx.world[State.Key.self].sources[name] else {
                throw StepFailure("no connector \"\(name)\" was created in this scenario")
            }
            let added = (source.lines.count + 1...source.lines.count + more).map { String($0 * 25) }
            try await ConnectDrill.restartAndAppend(compose, source, lines: added)
            source.lines += added
            ctx.world.update(State.Key.self) { $0.sources[name] = source }
        }

        code.then(
            "within {int} seconds every line of {string} arrives on its topic once, in order, as its transforms "
                + "make it",
            deadline: .seconds(argument: 0),
            doc: "Reads the topic back until it holds as many records as the file has lines (or the time is up) "
                + "and compares each with what Kafka Connect's transforms, as documented, make of its line: "
                + "nothing lost, nothing twice, nothing untransformed; needs a cluster that models a Kafka "
                + "Connect worker (compose).",
            example: #"Then within 50 seconds every line of "amounts" arrives on its topic once, in order, as "#
                + #"its transforms make it"#
        ) { (ctx, seconds: Int, name: String) in
            _ = try ctx.composeCluster(for: .connect, tools: "Kafka Connect workers")
            guard let source = ctx.world[State.Key.self].sources[name] else {
                throw StepFailure("no connector \"\(name)\" was created in this scenario")
            }
            let observed = try await ConnectDrill.awaitRecords(
                try ctx.cluster(), topic: source.topic,
                count: source.lines.count, within: .seconds(seconds))
            ctx.log(
                "\(source.lines.count) lines, \(observed.count) records on \(source.topic); first: "
                    + (observed.first.map(\.description) ?? "none"))
            try source.chain.verdict(source: source.lines.map { .primitive(.string($0)) }, observed: observed).enforce()
        }

        code.when(
            "{int} records are written to {string}, every {int}th of them not JSON",
            doc: "Writes records whose values are JSON numbers (1001, 1002, …), except that every Nth is not "
                + "JSON at all; their offsets come from the delivery reports.",
            example: #"When 30 records are written to "orders", every 5th of them not JSON"#
        ) { (ctx, count: Int, name: String, every: Int) in
            guard every > 1, count >= every else { throw StepFailure("needs malformed and well-formed records") }
            let input = try await ConnectDrill.writeSinkInput(
                try ctx.cluster(), topic: try ctx.topic(name), count: count,
                malformedEvery: every)
            ctx.world.update(State.Key.self) { $0.sinkInput[name] = input }
        }

        code.when(
            "the file sink connector {string} reads {string} with errors.tolerance=all and the dead-letter "
                + "topic {string}",
            doc: "Creates a FileStreamSink connector on the topic with JSON values, errors.tolerance=all, that "
                + "dead-letter topic and errors.deadletterqueue.context.headers.enable=true; waits (30 s) until "
                + "it runs; needs a cluster that models a Kafka Connect worker (compose).",
            example: #"When the file sink connector "orders-out" reads "orders" with errors.tolerance=all and "#
                + #"the dead-letter topic "orders-dlq""#
        ) { (ctx, name: String, topicName: String, dlqName: String) in
            let compose = try ctx.composeCluster(for: .connect, tools: "Kafka Connect workers")
            let physical = "\(name)-\(ctx.sharedScope)", file = "/tmp/kafka-bdd/\(physical).out"
            ctx.world.update(State.Key.self) { s in
                s.connectors.append(physical)
                s.files.append(file)
                s.sinks[topicName] = (file, dlqName)
            }
            try await ConnectDrill.startSink(
                compose, name: physical, topic: try ctx.topic(topicName), file: file,
                deadLetters: try ctx.topic(dlqName))
        }

        code.then(
            "within {int} seconds the malformed records of {string} are on the dead-letter topic with the error "
                + "in their headers, and the rest reach the sink once",
            deadline: .seconds(argument: 0),
            doc: "Reads the sink's file and the dead-letter topic until both hold what they should (or the time "
                + "is up) and judges them: each malformed record once on the dead-letter topic, unchanged, with "
                + "Connect's context headers (origin topic, partition and offset, stage, exception class and "
                + "message); each well-formed record once in the sink's file; nothing lost; needs a cluster "
                + "that models a "
                + "Kafka Connect worker (compose).",
            example: #"Then within 50 seconds the malformed records of "orders" are on the dead-letter topic "#
                + #"with the error in their headers, and the rest reach the sink once"#
        ) { (ctx, seconds: Int, name: String) in
            let compose = try ctx.composeCluster(for: .connect, tools: "Kafka Connect workers")
            let state = ctx.world[State.Key.self]
            guard let input = state.sinkInput[name], let sink = state.sinks[name] else {
                throw StepFailure("no records were written to \"\(name)\" and sunk in this scenario")
            }
            let (letters, sunk) = try await ConnectDrill.awaitSink(
                compose, cluster: try ctx.cluster(), file: sink.file,
                deadLetters: try ctx.topic(sink.deadLetters), input: input,
                within: .seconds(seconds))
            if let first = letters.first {
                ctx.attach(
                    Evidence.table(
                        ["header", "value"],
                        first.headers.sorted { $0.key < $1.key }.map {
                            [$0.key, String($0.value.prefix(120))]
                        }), mediaType: "text/markdown")
            }
            try ConnectDeadLetterExpectation(inputTopic: try ctx.topic(name)).verdict(
                input: input, letters: letters, sunk: sunk
            )
            .enforce()
        }
    }
}
