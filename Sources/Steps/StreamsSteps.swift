import Foundation
import Runtime
import KafkaClient
import Cluster
import Drills
import Processing
import Streams
import Verification

/// KAF-14's step state: the topology's parameters, the inputs written and the processors run.
struct StreamsState: Sendable {
    enum Key: WorldKey { static var defaultValue: StreamsState { StreamsState() } }
    var topology: TopologyConfig?
    var inputs: [StreamOracle.Input] = []
    var lateWithin = 0, lateBeyond = 0
    var processors: [String: StreamProcessor] = [:]
    /// Instances that held after a count of records, for another to join (the count, and the orders topic).
    var held: [String: (count: Int, orders: String)] = [:]
    /// Joiners: the instance each joined, and how it was held.
    var taken: [String: (first: String, held: (count: Int, orders: String))] = [:]
    /// Instances that left their application: the tasks each held, and the application's orders topic.
    var left: [String: (tasks: Set<Int32>, orders: String)] = [:]

    /// The application an instance belongs to, where one joined another: its orders topic as written.
    func application(of name: String) -> (count: Int, orders: String)? {
        if let (_, held) = taken[name] { return held }
        return taken.values.first { $0.first == name }?.held
    }

    /// The instance that joined `name`, if one did.
    func joiner(of name: String) -> String? { taken.first { $0.value.first == name }?.key }

    /// Physical topics of each processor: results, changelog, dropped.
    var topics: [String: (results: String, changelog: String, dropped: String)] = [:]
}

/// Sentences about the join + tumbling-window topology and its processors (KAF-14).
enum StreamsSteps {
    static let resultPartitions: Int32 = 3

    static func register(_ code: inout SupportCode, _ env: KafkaEnvironment) {
        code.after(name: "stop the scenario's stream processors") { ctx in
            let running = ctx.world.update(StreamsState.Key.self) { s in
                defer { s.processors = [:] }; return Array(s.processors.values)
            }
            await StreamsScaling.stop(running)
        }

        code.given(
            "the orders and payments topology with a join window of {int} ms, tumbling windows of {int} ms and "
                + "a grace period of {int} ms",
            doc: "Sets the topology under test (Streams/Topology.swift): an order and a payment with the same "
                + "key join when their timestamps differ by at most the join window; each pair is counted "
                + "(count, sum of payment amounts) in the tumbling window of the later timestamp; records "
                + "later than the grace period are dropped and reported.",
            example: "Given the orders and payments topology with a join window of 5000 ms, tumbling windows "
                + "of 10000 ms and a grace period of 2000 ms"
        ) { (ctx, joinWindow: Int64, windowSize: Int64, grace: Int64) in
            let config = TopologyConfig(
                joinWindow: joinWindow, windowSize: windowSize,
                grace: grace)
            guard config.joinWindow >= 0, config.windowSize > 0, config.grace >= 0 else {
                throw StepFailure("the join window and grace must be ≥ 0 and the window size > 0")
            }
            try withinADay(joinWindow, windowSize, grace)
            ctx.world.update(StreamsState.Key.self) { $0.topology = config }
        }

        code.given(
            "the orders and payments topology with a join window of {int} ms, hopping windows of {int} ms "
                + "advancing by {int} ms and a grace period of {int} ms",
            doc: "The tumbling topology with hopping windows: a window of that size starts every advance ms "
                + "(size ÷ 100 ≤ advance ≤ size), so each pair is counted in every window holding its time (size ÷ "
                + "advance of them), and dropped and reported only from those already closed. The oracle "
                + "(Verification/StreamOracle.swift) computes the same windows apart from the topology.",
            example: "Given the orders and payments topology with a join window of 5000 ms, hopping windows of "
                + "10000 ms advancing by 5000 ms and a grace period of 2000 ms"
        ) { (ctx, joinWindow: Int64, windowSize: Int64, advance: Int64, grace: Int64) in
            guard joinWindow >= 0, grace >= 0 else { throw StepFailure("the join window and grace must be ≥ 0") }
            try withinADay(joinWindow, windowSize, advance, grace)
            guard windowSize > 0, advance > 0, advance <= windowSize, windowSize / advance <= 100 else {
                throw StepFailure(
                    "the advance must be at most the window size and at least a hundredth of it (a time falls in "
                        + "at most 100 windows, so that the results can be read back)")
            }
            let config = TopologyConfig(joinWindow: joinWindow, windowSize: windowSize, grace: grace, advance: advance)
            ctx.world.update(StreamsState.Key.self) { $0.topology = config }
        }

        code.given(
            "the orders and payments topology with a join window of {int} ms, session windows with an inactivity "
                + "gap of {int} ms and a grace period of {int} ms",
            doc: "The topology with session windows instead of time windows: a key's joined pairs at most the gap "
                + "apart are one session [first pair's time, last pair's time], counted and summed; a pair that "
                + "bridges two sessions merges them, and the sessions merged away are deleted from the results "
                + "topic (tombstones); a pair whose merged session ended more than gap + grace before stream time "
                + "is dropped and reported (Kafka Streams' rule). The oracle (Verification/StreamOracle.swift) "
                + "chains the sessions apart from the topology, and compares each session's start, end, count "
                + "and sum.",
            example: "Given the orders and payments topology with a join window of 5000 ms, session windows with "
                + "an inactivity gap of 3000 ms and a grace period of 2000 ms"
        ) { (ctx, joinWindow: Int64, gap: Int64, grace: Int64) in
            guard joinWindow >= 0, grace >= 0, gap > 0 else {
                throw StepFailure("the join window and grace must be ≥ 0 and the inactivity gap > 0")
            }
            try withinADay(joinWindow, gap, grace)
            ctx.world.update(StreamsState.Key.self) {
                $0.topology = .sessions(joinWindow: joinWindow, gap: gap, grace: grace)
            }
        }

        code.when(
            "I produce orders to {string} and payments to {string} for {int} keys over {int} seconds of event "
                + "time, with {int} late pair(s) within the grace period and {int} beyond it",
            doc: "Writes orders and payments keyed by customer with event times from a fixed epoch, some "
                + "payments inside and some outside the join window, in timestamp order; then late pairs, "
                + "written last: `late-in-N` half a grace period behind the newest time (to be counted), and "
                + "`late-out-N` a join window, a grace period and a window behind it (to be dropped); then "
                + "ten `edge-*` records on the topology's boundaries (a pair exactly one join window apart, "
                + "an order exactly join window + grace behind stream time, a pair on a window's last "
                + "millisecond when that window closes). The records, where the cluster acknowledged them, "
                + "are the oracle's input.",
            example: #"When I produce orders to "orders" and payments to "payments" for 12 keys over 60 seconds "#
                + #"of event time, with 3 late pairs within the grace period and 2 beyond it"#
        ) { (ctx, ordersName: String, paymentsName: String, keys: Int, seconds: Int, within: Int, beyond: Int) in
            guard (1...1_000).contains(keys), (1...86_400).contains(seconds), (0...100).contains(within),
                (0...100).contains(beyond)
            else {
                throw StepFailure(
                    "1 to 1,000 keys over 1 to 86,400 seconds, with 0 to 100 late pairs within the grace period "
                        + "and 0 to 100 beyond it")
            }
            let orders = try ctx.topic(ordersName), payments = try ctx.topic(paymentsName)
            let config = try topology(ctx)
            let planned = StreamsDrills.plan(
                keys: keys, seconds: seconds, within: within, beyond: beyond,
                config: config)
            let inputs = try await StreamsDrills.produce(
                planned, orders: orders, payments: payments,
                config: try ctx.cluster().config())
            ctx.world.update(StreamsState.Key.self) { s in
                s.inputs += inputs
                s.lateWithin += within
                s.lateBeyond += beyond
            }
            ctx.log(
                "\(inputs.filter(\.isOrder).count) orders and \(inputs.filter { !$0.isOrder }.count) payments "
                    + "written")
        }

        code.when(
            "stream processor {string} runs the topology from {string} and {string} into {string}",
            doc: "Starts an instance of the stream processor (Processing/StreamProcessor.swift) with its own "
                + "group, creating the results topic and `<results>-changelog` (3 partitions each) and "
                + "`<results>-dropped`; waits until it has caught up with the input (60 s at most) and stops it.",
            example: #"When stream processor "p1" runs the topology from "orders" and "payments" into "results""#
        ) { (ctx, name: String, orders: String, payments: String, results: String) in
            let processor = try await start(
                ctx, env, name: name, orders: orders,
                payments: payments, results: results)
            try await runToEnd(ctx, processor, env: env)
        }

        code.when(
            "stream processor {string} runs the topology from {string} and {string} into {string} and is killed "
                + "after {int} records",
            doc: "As the running step, but the instance dies as a crash would right after the changelog of "
                + "that many processed records is flushed, before their input offsets are committed: nothing "
                + "more is written or committed.",
            example: #"When stream processor "p1" runs the topology from "orders" and "payments" into "results" "#
                + #"and is killed after 120 records"#
        ) { (ctx, name: String, orders: String, payments: String, results: String, killAfter: Int) in
            let processor = try await start(
                ctx, env, name: name, orders: orders,
                payments: payments, results: results,
                killAfter: killAfter)
            try await processor.waitUntilIdle(within: env.stepTimeout * 0.8)
            let s = processor.status
            guard s.killed else {
                throw StepFailure(
                    "the processor finished (\(s.processed) records) before the kill at \(killAfter)")
            }
            ctx.log("killed after \(s.processed) records")
        }

        code.when(
            "stream processor {string} runs the topology from {string} and {string} into {string} and holds after "
                + "{int} records",
            doc: "As the running step, but the instance is one of an application's instances (it takes its tasks "
                + "from the group's assignment: task n joins orders and payments partition n) and stops "
                + "processing after that many records, committed, staying in the group, so that another instance "
                + "can join it (`stream processor {string} joins the application of stream processor {string}`).",
            example: #"When stream processor "p1" runs the topology from "orders" and "payments" into "results" "#
                + #"and holds after 70 records"#
        ) { (ctx, name: String, orders: String, payments: String, results: String, count: Int) in
            guard count >= 0 else { throw StepFailure("hold after a count of records of at least 0") }
            let processor = try await start(
                ctx, env, name: name, orders: orders, payments: payments, results: results, holdAfter: count)
            try await processor.waitUntil(within: env.stepTimeout * 0.8, "held") { $0.held || $0.caughtUp }
            guard processor.status.held else {
                throw StepFailure("the processor caught up (\(processor.status.processed) records) before the hold")
            }
            ctx.world.update(StreamsState.Key.self) { $0.held[name] = (count, orders) }
        }

        for restoring in [true, false] {
            code.when(
                "stream processor {string} joins the application of stream processor {string}"
                    + (restoring ? "" : " without restoring the state of the tasks it takes"),
                doc: restoring
                    ? "A second instance of the held instance's application (its group, changelog and topics) "
                        + "starts; the group splits the tasks between the two (range assignor), the joiner "
                        + "restoring the state of each task it takes from the changelog; once every task is held "
                        + "by exactly one of them the first goes on, and both run until they have caught up (60 s "
                        + "at most), and go on running. Shows which instance holds which task, what it restored and "
                        + "processed. Which tasks each gets is the group's choice and can differ between runs: query "
                        + "the application rather than one instance, and hold after enough records that every task "
                        + "has some (70 of the workload's 164 do)."
                    : "A drill of what the changelog is for when work moves: as the joining step, but the tasks the "
                        + "joiner takes start from an empty state.",
                example: #"When stream processor "p2" joins the application of stream processor "p1""#
                    + (restoring ? "" : " without restoring the state of the tasks it takes")
            ) { (ctx, name: String, firstName: String) in
                let state = ctx.world[StreamsState.Key.self]
                guard name != firstName else {
                    throw StepFailure("an instance joins another: name the joiner differently from \(firstName)")
                }
                guard let first = state.processors[firstName], let held = state.held[firstName] else {
                    throw StepFailure(
                        state.joiner(of: firstName).map { "\(firstName) is no longer held: \($0) joined it" }
                            ?? "no held processor \(firstName): start it with `… and holds after 70 records`")
                }
                let partitions = ctx.scenario.state.withLock { $0.partitions[held.orders] ?? 1 }
                let joiner = try await StreamsScaling.join(
                    first, config: try ctx.cluster().config(), restoring: restoring, tasks: Set(0..<partitions),
                    within: env.stepTimeout * 0.8)
                ctx.world.update(StreamsState.Key.self) { s in
                    s.processors[name] = joiner
                    s.topics[name] = s.topics[firstName]
                    s.taken[name] = (firstName, held)
                    s.held[firstName] = nil
                }
                ctx.attach(
                    StreamsScaling.table([(firstName, first), (name, joiner)]), mediaType: "text/markdown")
            }
        }

        code.when(
            "the streams replay command reprocesses {string} and {string} into {string}",
            doc: "Runs what `kafka-bdd streams replay` runs: a fresh instance of the processor, with a group of its "
                + "own, reads both input topics from the beginning into the output topic (made with "
                + "`<output>-changelog` and `<output>-dropped` where the scenario has not made them) until it "
                + "has caught up, then stops; the window results it printed are attached. Compare its output "
                + "with `{string} and {string} hold the same records in the same order`.",
            example: #"When the streams replay command reprocesses "orders" and "payments" into "results-replay""#
        ) { (ctx, orders: String, payments: String, output: String) in
            let topics = try await outputTopics(ctx, env, output)
            let options = StreamProcessor.Options(
                orders: try ctx.topic(orders), payments: try ctx.topic(payments), results: topics.results,
                changelog: topics.changelog, dropped: topics.dropped,
                group: "kafka-bdd-replay-\(UUID().uuidString)", topology: try topology(ctx))
            let replayed = try await StreamsDrills.replay(
                config: try ctx.cluster().config(), options: options, within: env.stepTimeout * 0.8)
            ctx.attach(replayed.windows.joined(separator: "\n"), mediaType: "text/plain", fileName: "windows.txt")
            ctx.log(replayed.summary)
        }

        code.when(
            "stream processor {string} is restarted",
            doc: "Starts a new instance with the same group and topics: it restores its state from the "
                + "changelog, re-reads the input from the last committed offsets (skipping what its restored "
                + "state already applied) and runs until it has caught up. Shows the recovery time and what "
                + "it restored.",
            example: #"When stream processor "p1" is restarted"#
        ) { (ctx, name: String) in
            try await restart(ctx, env, name: name, restoring: true)
        }

        code.when(
            "stream processor {string} is restarted without restoring its state",
            doc: "A drill of what the changelog is for: the new instance starts from an empty state (the "
                + "input is still re-read from the last committed offsets).",
            example: #"When stream processor "p1" is restarted without restoring its state"#
        ) { (ctx, name: String) in
            try await restart(ctx, env, name: name, restoring: false)
        }

        code.then(
            "the window results read back from {string} equal the oracle's",
            doc: "Reads the results topic back (the latest upsert of each window) and compares it with the "
                + "oracle (Verification/StreamOracle.swift), which computes the expected windows from the "
                + "input records alone: every window with its count and sum, and no other.",
            example: #"Then the window results read back from "results" equal the oracle's"#
        ) { (ctx, topicName: String) in
            let results = try ctx.topic(topicName)
            let config = try topology(ctx)
            let inputs = ctx.world[StreamsState.Key.self].inputs
            let expected = oracle(config).expect(inputs)
            let (verdict, table, summary) = try await StreamsDrills.windowResults(
                config: try ctx.cluster().config(), results: results, partitions: resultPartitions,
                expected: expected, inputs: inputs.count)
            ctx.attach(table, mediaType: "text/markdown")
            ctx.log(summary)
            try verdict.enforce()
        }

        for restoring in [true, false] {
            code.when(
                "stream processor {string} leaves its application"
                    + (restoring ? "" : ", the others taking its tasks without restoring them"),
                doc: restoring
                    ? "An instance of an application that another has joined stops (committing, leaving the "
                        + "group): the instances that stay take its tasks, each restoring their state from the "
                        + "changelog; returns once they hold every task and have caught up (60 s at most)."
                    : "A drill: as the leaving step, but the instances that stay start the tasks they take from an "
                        + "empty state.",
                example: #"When stream processor "p2" leaves its application"#
                    + (restoring ? "" : ", the others taking its tasks without restoring them")
            ) { (ctx, name: String) in
                let state = ctx.world[StreamsState.Key.self]
                guard let leaver = state.processors[name], let orders = state.application(of: name)?.orders else {
                    throw StepFailure(
                        "\(name) is not an instance of an application another joined: start one with `… and holds "
                            + "after 70 records` and let another join it")
                }
                let staying = state.processors.filter {
                    $0.key != name && $0.value.options.group == leaver.options.group
                }
                guard !staying.isEmpty else { throw StepFailure("no other instance of \(name)'s application runs") }
                let held = Set(leaver.status.tasks.keys)
                if !restoring { for p in staying.values { p.forgetChangelog() } }
                let partitions = ctx.scenario.state.withLock { $0.partitions[orders] ?? 1 }
                try await StreamsScaling.leave(
                    leaver, staying: Array(staying.values), tasks: Set(0..<partitions), within: env.stepTimeout * 0.8)
                ctx.world.update(StreamsState.Key.self) { s in
                    s.processors[name] = nil
                    s.left[name] = (held, orders)
                }
                ctx.attach(
                    StreamsScaling.table(staying.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }),
                    mediaType: "text/markdown")
            }
        }

        code.then(
            "stream processor {string} took over the tasks of stream processor {string} when it left, with their state",
            doc: "After an instance left: the one that stays holds every task, and for each task the leaver held it "
                + "restored as many changelog entries as the application had processed records of that task — all "
                + "of the task's input records, counted from the ledger (the instances had caught up before the "
                + "leave).",
            example: #"Then stream processor "p1" took over the tasks of stream processor "p2" when it left, "#
                + "with their state"
        ) { (ctx, survivorName: String, leaverName: String) in
            let state = ctx.world[StreamsState.Key.self]
            guard let (held, orders) = state.left[leaverName], let survivor = state.processors[survivorName] else {
                throw StepFailure("stream processor \(leaverName) did not leave an application \(survivorName) is in")
            }
            let partitions = ctx.scenario.state.withLock { $0.partitions[orders] ?? 1 }
            let s = survivor.status
            try TaskTakeOver.leaveVerdict(
                leaver: leaverName, held: held,
                survivor: .init(name: survivorName, tasks: Set(s.tasks.keys), restored: s.restoredTasks),
                processed: StreamOracle.processedPerTask(state.inputs, first: state.inputs.count),
                tasks: Set(0..<partitions)
            ).enforce()
        }

        code.then(
            "stream processor {string} took over tasks of stream processor {string} with the state it had built",
            doc: "The joiner holds some tasks and the first the others (each task held by exactly one), and for "
                + "each task the joiner took that the first had worked on, it restored as many changelog entries "
                + "as the first had processed records of that task — counted from the input records and the "
                + "processing order alone (the first held after its count), not from either instance.",
            example: #"Then stream processor "p2" took over tasks of stream processor "p1" with the state it had built"#
        ) { (ctx, joinerName: String, firstName: String) in
            let state = ctx.world[StreamsState.Key.self]
            guard let (joined, held) = state.taken[joinerName], joined == firstName,
                let first = state.processors[firstName], let joiner = state.processors[joinerName]
            else {
                throw StepFailure(
                    "stream processor \(joinerName) did not join the application of a held \(firstName)")
            }
            let partitions = ctx.scenario.state.withLock { $0.partitions[held.orders] ?? 1 }
            func instance(_ name: String, _ p: StreamProcessor) -> TaskTakeOver.Instance {
                let s = p.status
                return .init(name: name, tasks: Set(s.tasks.keys), restored: s.restoredTasks)
            }
            try TaskTakeOver.verdict(
                first: instance(firstName, first), joiner: instance(joinerName, joiner),
                before: StreamOracle.processedPerTask(state.inputs, first: held.count), tasks: Set(0..<partitions)
            ).enforce()
        }

        code.then(
            "the late records reported by stream processor {string} are the oracle's",
            doc: "Reads the processor's `<results>-dropped` topic back and compares the records reported "
                + "there with those the oracle drops: late for the join, or pairs whose window had closed "
                + "(reported as the later record of the pair).",
            example: #"Then the late records reported by stream processor "p1" are the oracle's"#
        ) { (ctx, name: String) in
            guard let topics = ctx.world[StreamsState.Key.self].topics[name] else {
                throw StepFailure(
                    "no processor \(name)")
            }
            let expected = oracle(try topology(ctx)).expect(ctx.world[StreamsState.Key.self].inputs)
            let (verdict, table) = try await StreamsDrills.droppedRecords(
                config: try ctx.cluster().config(), topic: topics.dropped, expected: expected)
            ctx.attach(table, mediaType: "text/markdown")
            try verdict.enforce()
        }

        code.then(
            "the late pairs within the grace period were counted and those beyond it were dropped and reported",
            doc: "Reads back the results and the dropped records of every processor of the scenario's last "
                + "run: each `late-in-N` key has a window with its pair counted and none of its records was "
                + "reported; each `late-out-N` record was reported dropped and its key has no window.",
            example: "Then the late pairs within the grace period were counted and those beyond it were dropped "
                + "and reported"
        ) { ctx in
            let state = ctx.world[StreamsState.Key.self]
            guard let (_, topics) = state.topics.first else { throw StepFailure("no processor ran") }
            let config = try ctx.cluster().config()
            let rows = try await StreamsDrills.rows(
                config: config, results: topics.results, partitions: resultPartitions)
            let dropped = try await StreamsDrills.dropped(config: config, topic: topics.dropped)
            ctx.log(
                "\(state.lateWithin) pairs within grace, \(state.lateBeyond) beyond; \(dropped.count) drop "
                    + "reports read back")
            try LatePairs.verdict(
                within: state.lateWithin, beyond: state.lateBeyond,
                rows: rows, droppedKeys: dropped.map(\.record.key)
            ).enforce()
        }

        code.then(
            "{string} and {string} hold the same records in the same order",
            doc: "Reads both topics back and compares them partition by partition, record by record (key and "
                + "value bytes): reprocessing the same input gives the same output.",
            example: #"Then "results" and "results-replay" hold the same records in the same order"#
        ) { (ctx, firstName: String, secondName: String) in
            let a = try ctx.topic(firstName), b = try ctx.topic(secondName)
            let (verdict, summary) = try await StreamsDrills.sameRecords(
                config: try ctx.cluster().config(), a, b, partitions: resultPartitions)
            ctx.log(summary)
            try verdict.enforce()
        }

        code.then(
            "querying stream processor {string} for key {string} gives the oracle's windows",
            doc: "The interactive query: the windows of one key in the instance's current state (its state "
                + "store, restored or built), against the oracle. An instance answers for the tasks it holds: "
                + "where instances share an application, ask the application instead.",
            example: #"Then querying stream processor "p1" for key "customer-3" gives the oracle's windows"#
        ) { (ctx, name: String, key: String) in
            guard let processor = ctx.world[StreamsState.Key.self].processors[name] else {
                throw StepFailure(
                    "no processor \(name)")
            }
            try query(ctx, key: key, instance: name, processor)
        }

        code.then(
            "querying the application of stream processor {string} for key {string} gives the oracle's windows",
            doc: "The interactive query of an application whose instances share its tasks: asked of the instance "
                + "holding the key's task (the input partition its records were acknowledged in), as Kafka "
                + "Streams' metadata for a key routes it; against the oracle.",
            example: #"Then querying the application of stream processor "p1" for key "customer-3" gives the "#
                + #"oracle's windows"#
        ) { (ctx, name: String, key: String) in
            try queryApplication(ctx, of: name, key: key)
        }

        code.then(
            "querying the application of stream processor {string} for every key gives the oracle's windows",
            doc: "As the query of the application for one key, for every key the oracle has windows of, each asked "
                + "of the instance holding its task.",
            example: #"Then querying the application of stream processor "p1" for every key gives the oracle's "#
                + "windows"
        ) { (ctx, name: String) in
            let expected = oracle(try topology(ctx)).expect(ctx.world[StreamsState.Key.self].inputs)
            for key in Set(expected.rows.map(\.key)).sorted() { try queryApplication(ctx, of: name, key: key) }
        }
    }

    /// The query of `key` asked of the instance of `name`'s application that holds the key's task.
    static func queryApplication(_ ctx: StepContext, of name: String, key: String) throws {
        let state = ctx.world[StreamsState.Key.self]
        guard let processor = state.processors[name] else {
            throw StepFailure(
                "no processor \(name)")
        }
        let task = state.inputs.first { $0.key == key }?.partition
        let holder = state.processors.sorted { $0.key < $1.key }.first { _, p in
            p.options.group == processor.options.group && task.map { p.status.tasks[$0] != nil } == true
        }
        try query(ctx, key: key, instance: holder?.key ?? name, holder?.value ?? processor)
    }

    /// One instance's windows of `key`, judged against the oracle's.
    static func query(_ ctx: StepContext, key: String, instance: String, _ processor: StreamProcessor) throws {
        let config = try topology(ctx)
        let status = processor.status
        let view = Topology(config).view(status.state).filter { $0.window.key == key }
            .map {
                StreamOracle.Row(
                    key: key, start: $0.window.start, count: $0.aggregate.count, sum: $0.aggregate.sum,
                    end: $0.aggregate.last)
            }
        let inputs = ctx.world[StreamsState.Key.self].inputs
        var expected = oracle(config).expect(inputs)
        expected.rows = expected.rows.filter { $0.key == key }
        guard !expected.rows.isEmpty else {
            throw StepFailure(
                "the oracle has no window for \(key): choose a key with results")
        }
        ctx.log(
            "\(instance): " + (view.isEmpty ? "no window of \(key)" : view.map(\.description).joined(separator: "\n")))
        try StreamOracle.queryVerdict(
            instance: instance, key: key, task: inputs.first { $0.key == key }?.partition, held: Set(status.tasks.keys),
            actual: view, expected: expected
        ).enforce()
    }

    static func topology(_ ctx: StepContext) throws -> TopologyConfig {
        guard let t = ctx.world[StreamsState.Key.self].topology else {
            throw StepFailure(
                "no topology yet: start with `Given the orders and payments topology with a join window of 5000 ms, "
                    + "tumbling windows of 10000 ms and a grace period of 2000 ms`"
            )
        }
        return t
    }

    /// The topology's times are at most a day (86,400,000 ms): the workload places records a few windows apart
    /// in milliseconds, which larger values would carry past what an Int64 holds.
    static func withinADay(_ values: Int64...) throws {
        guard values.allSatisfy({ $0 <= 86_400_000 }) else {
            throw StepFailure("the topology's windows, gap and grace are at most a day (86400000 ms)")
        }
    }

    static func oracle(_ c: TopologyConfig) -> StreamOracle {
        StreamOracle(
            joinWindowMs: c.joinWindow, windowSizeMs: c.windowSize, graceMs: c.grace, advanceMs: c.advance,
            sessionGapMs: c.sessionGap)
    }

    /// The results topic and its changelog and dropped topics (`<results>-changelog`, `<results>-dropped`),
    /// made where the scenario has not made them yet; their physical names.
    static func outputTopics(_ ctx: StepContext, _ env: KafkaEnvironment, _ results: String) async throws
        -> (results: String, changelog: String, dropped: String)
    {
        // The processor writes them with acks=all (StreamProcessor).
        let factor = try await ctx.cluster().replicationFactorForAcksAll()
        for (topic, partitions) in [
            (results, resultPartitions), ("\(results)-changelog", resultPartitions), ("\(results)-dropped", 1),
        ]
        where ctx.scenario.state.withLock({ $0.topics[topic] == nil }) {
            try await ClusterSteps.createTopic(ctx, env, name: topic, partitions: partitions, replicationFactor: factor)
        }
        return (
            results: try ctx.topic(results), changelog: try ctx.topic("\(results)-changelog"),
            dropped: try ctx.topic("\(results)-dropped")
        )
    }

    static func start(
        _ ctx: StepContext, _ env: KafkaEnvironment, name: String, orders: String, payments: String,
        results: String, killAfter: Int? = nil, holdAfter: Int? = nil
    ) async throws -> StreamProcessor {
        let config = try topology(ctx)
        let cluster = try ctx.cluster()
        let topics = try await outputTopics(ctx, env, results)
        let group = cluster.config(["group.id": "streams-\(name)"])["group.id"] ?? "streams-\(name)"
        var options = StreamProcessor.Options(
            orders: try ctx.topic(orders), payments: try ctx.topic(payments),
            results: topics.results, changelog: topics.changelog,
            dropped: topics.dropped, group: group, topology: config)
        options.shareWork = holdAfter != nil
        let processor = StreamProcessor(config: cluster.config(), options: options)
        if let killAfter { processor.kill(afterProcessing: killAfter) }
        if let holdAfter { processor.hold(afterProcessing: holdAfter) }
        try await processor.start()
        ctx.world.update(StreamsState.Key.self) { s in
            s.processors[name] = processor
            s.topics[name] = topics
        }
        return processor
    }

    static func runToEnd(_ ctx: StepContext, _ processor: StreamProcessor, env: KafkaEnvironment) async throws {
        try await processor.waitUntilIdle(within: env.stepTimeout * 0.8)
        await processor.stop()
        let s = processor.status
        if let e = s.error { throw StepFailure("the stream processor failed: \(e)") }
        ctx.log(
            "processed \(s.processed) records, skipped \(s.skipped) already applied, restored \(s.restored) "
                + "changelog entries")
    }

    static func restart(_ ctx: StepContext, _ env: KafkaEnvironment, name: String, restoring: Bool) async throws {
        guard let old = ctx.world[StreamsState.Key.self].processors[name] else {
            throw StepFailure(
                "no processor \(name)")
        }
        let (processor, table) = try await StreamsRestart.run(
            old, config: try ctx.cluster().config(), restoring: restoring, within: env.stepTimeout * 0.8)
        ctx.world.update(StreamsState.Key.self) { $0.processors[name] = processor }
        ctx.attach(table, mediaType: "text/markdown")
    }
}
