import Foundation
@testable import KafkaClient
@testable import Cluster
@testable import Verification
import Drills
import Synchronization
import Testing

/// The Kafka layer against the embedded (mock) cluster: real clients, real sockets, real faults.
@Suite("Embedded cluster", .serialized)
struct EmbeddedClusterTests {
    static func producerConfig(_ cluster: Cluster) -> KafkaConfig {
        cluster.config(["acks": "all", "enable.idempotence": "true", "linger.ms": "5", "message.timeout.ms": "30000"])
    }

    /// Sends `count` keyed records through a producer whose reports land in `ledger`, optionally
    /// doing something at the half-way mark.
    static func produce(_ count: Int, to topic: String, on cluster: Cluster, ledger: DeliveryLedger, firstId: UInt64 = 1,
                        fault: (@Sendable () async throws -> Void)? = nil) async throws {
        try await ledger.produce(count, to: topic, config: producerConfig(cluster), firstId: firstId, fault: fault)
    }

    static func readEverything(_ topic: String, partitions: Int32, on cluster: Cluster, into ledger: DeliveryLedger,
                               expecting: Int, within: Duration = .seconds(30)) async throws {
        let consumer = try Consumer(config: cluster.config(["group.id": "reader-\(UUID().uuidString)", "enable.auto.commit": "false"]))
        try consumer.assign((0..<partitions).map { TopicPartitionOffset(topic: topic, partition: $0, offset: TopicPartitionOffset.beginning) })
        let records = try await consumer.records(within: within, until: { $0.count >= expecting })
        for r in records { ledger.consumed(r) }
        await consumer.close()
    }

    @Test func topicWithSixPartitionsAndThreeReplicasOnDistinctBrokers() async throws {
        let cluster = try EmbeddedCluster(brokers: 3)
        defer { Task { await cluster.shutdown() } }
        try await cluster.createTopic(TopicSpec(name: "events", partitions: 6, replicationFactor: 3))
        let md = try await cluster.metadata(topic: "events")
        #expect(md.brokers.map(\.id) == [1, 2, 3])
        let topic = try #require(md.topic("events"))
        #expect(topic.partitions.count == 6)
        for p in topic.partitions {
            #expect(Set(p.replicas).count == 3, "replicas of partition \(p.id): \(p.replicas)")
            #expect(p.replicas.contains(p.leader))
        }
        #expect(Set(topic.partitions.map(\.leader)).count == 3, "leaders spread over the brokers")
    }

    @Test func brokerKilledMidStreamWithAcksAllLosesNothing() async throws {
        let cluster = try EmbeddedCluster(brokers: 3)
        defer { Task { await cluster.shutdown() } }
        try await cluster.createTopic(TopicSpec(name: "drill", partitions: 6, replicationFactor: 3))
        let ledger = DeliveryLedger()
        try await Self.produce(20_000, to: "drill", on: cluster, ledger: ledger) {
            try await cluster.killBroker(2)
        }
        // The controller moved broker 2's leaderships to live replicas.
        let md = try await cluster.metadata(topic: "drill")
        #expect(md.topic("drill")!.partitions.allSatisfy { $0.leader != 2 })
        try await Self.readEverything("drill", partitions: 6, on: cluster, into: ledger, expecting: ledger.acknowledgedCount)
        let verdict = ledger.verdict()
        #expect(verdict.acknowledged == 20_000, "\(verdict)")
        #expect(verdict.lost.isEmpty, "\(verdict)")
        #expect(verdict.reorderedByKey.isEmpty, "\(verdict)")
    }

    /// The benchmark's fast paths (a run of records per produce call, a batch of messages per
    /// consume call) must still move every record: a queue far smaller than the run forces the
    /// partial-batch retry, and the partitions' log ends add up to what was reported delivered.
    @Test func benchmarkFastPathsMoveEveryRecord() async throws {
        let cluster = try EmbeddedCluster(brokers: 3)
        defer { Task { await cluster.shutdown() } }
        try await cluster.createTopic(TopicSpec(name: "bench", partitions: 6, replicationFactor: 3))
        let produced = try await Benchmark.produce(config: Self.producerConfig(cluster).merging(KafkaConfig(["queue.buffering.max.messages": "700"])),
                                                   topic: "bench", messages: 10_000, size: 50, batch: 1024)
        #expect(produced.messages == 10_000 && produced.errors == 0, "\(produced)")
        var ends: [Int64] = []
        for p in Int32(0)..<6 { ends.append(try await cluster.watermarks(topic: "bench", partition: p).high) }
        #expect(ends.reduce(0, +) == 10_000, "log ends \(ends)")
        #expect(ends.allSatisfy { $0 > 0 }, "every partition gets records: \(ends)")
        let consumed = try await Benchmark.consume(config: cluster.config(["group.id": "bench-test"]), topic: "bench",
                                                   partitions: 6, messages: 10_000, timeout: .seconds(30))
        #expect(consumed.messages == 10_000 && consumed.bytes == 500_000 && consumed.errors == 0, "\(consumed)")
    }

    @Test func restartedBrokerLeadsAgainAfterALeaderMove() async throws {
        let cluster = try EmbeddedCluster(brokers: 3)
        defer { Task { await cluster.shutdown() } }
        try await cluster.createTopic(TopicSpec(name: "moves", partitions: 3, replicationFactor: 3))
        let before = try await cluster.metadata(topic: "moves").topic("moves")!
        let victim = before.partitions[0].leader
        try await cluster.killBroker(victim)
        #expect(try await cluster.liveBrokers().contains(victim) == false)
        let during = try await cluster.metadata(topic: "moves").topic("moves")!
        #expect(during.partitions[0].leader != victim)
        try await cluster.restartBroker(victim)
        try await cluster.moveLeader(topic: "moves", partition: 0, to: victim)
        let after = try await cluster.metadata(topic: "moves").topic("moves")!
        #expect(after.partitions[0].leader == victim)
        // And it serves: a record sent now to that partition is acknowledged and read back.
        let ledger = DeliveryLedger()
        let producer = try Producer(config: Self.producerConfig(cluster))
        ledger.sent(1, key: nil)
        let report = try await producer.send(topic: "moves", partition: 0, key: nil, value: Payload.make(id: 1))
        ledger.acknowledged(1, partition: report.partition, offset: report.offset)
        await producer.close()
        try await Self.readEverything("moves", partitions: 3, on: cluster, into: ledger, expecting: 1)
        #expect(ledger.verdict().lost.isEmpty)
    }

    /// KAF-10's mirror creates its remote topic while the scenario kills a target broker: the controller
    /// must never leave a new topic's partition led by the broker it has just killed (a 2-in-5 flake).
    @Test func aTopicCreatedWhileABrokerIsKilledHasNoPartitionLedByIt() async throws {
        for round in 0..<6 {
            let cluster = try EmbeddedCluster(brokers: 3)
            async let created: Void = cluster.createTopic(TopicSpec(name: "copy", partitions: 6, replicationFactor: 3))
            async let killed: Void = cluster.killBroker(2)
            _ = try await (created, killed)
            let leaders = try #require(try await cluster.metadata(topic: "copy").topic("copy")).partitions.map(\.leader)
            #expect(!leaders.contains(2), "round \(round): leaders \(leaders) include the killed broker 2")
            await cluster.shutdown()
        }
    }

    @Test func consumerGroupSurvivesItsCoordinatorsBrokerBeingKilled() async throws {
        let cluster = try EmbeddedCluster(brokers: 3)
        defer { Task { await cluster.shutdown() } }
        try await cluster.createTopic(TopicSpec(name: "orders", partitions: 3, replicationFactor: 3))
        let group = "billing"
        cluster.registerCoordinatorKey(group, type: .group)
        try await cluster.placeCoordinator(group, type: .group, on: 2)
        let assigned = Mutex(0)
        let consumer = try Consumer(config: cluster.config(["group.id": group, "enable.auto.commit": "false",
                                                            "auto.offset.reset": "earliest",
                                                            "session.timeout.ms": "6000", "heartbeat.interval.ms": "500"]),
                                    onRebalance: { event, _ in if event.kind == .assigned { assigned.withLock { $0 += event.partitions.count } } })
        try consumer.subscribe(["orders"])
        let ledger = DeliveryLedger()
        try await Self.produce(300, to: "orders", on: cluster, ledger: ledger)
        var first = try await consumer.records(within: .seconds(30), until: { $0.count >= 300 })
        #expect(first.count == 300)
        try await consumer.commit()
        try await cluster.killBroker(2)
        try await Self.produce(300, to: "orders", on: cluster, ledger: ledger, firstId: 1000)
        first += try await consumer.records(within: .seconds(30), until: { $0.count >= 300 })
        for r in first { ledger.consumed(r) }
        try await consumer.commit() // the new coordinator takes the commit
        let committed = try await consumer.committed((0..<3).map { TopicPartitionOffset(topic: "orders", partition: $0) })
        await consumer.close()
        #expect(ledger.verdict().lost.isEmpty, "\(ledger.verdict())")
        #expect(committed.map(\.offset).reduce(0, +) == 600)
        #expect(assigned.withLock { $0 } >= 3)
    }

    @Test func capabilitiesAreDeclaredAndUnsupportedRequestsSayWhich() async throws {
        let cluster = try EmbeddedCluster(brokers: 1)
        defer { Task { await cluster.shutdown() } }
        for missing: ClusterCapability in [.replication, .idempotentDeduplication, .transactionIsolation, .transactionalOffsets,
                                           .fencing, .admin, .topicConfigs, .compaction, .retention, .security, .reassignment] {
            #expect(!cluster.capabilities.contains(missing))
            #expect(throws: Unsupported.self) { try cluster.require(missing) }
        }
        do {
            try cluster.require(.transactionIsolation)
        } catch {
            #expect(error.description == "embedded cluster does not model transaction isolation — run with --cluster compose")
        }
        await #expect(throws: Unsupported.self) {
            try await cluster.createTopic(TopicSpec(name: "t", partitions: 1, replicationFactor: 1, configs: ["cleanup.policy": "compact"]))
        }
        await #expect(throws: NoSuchBroker.self) { try await cluster.killBroker(7) }
    }

    @Test func injectedRetriableErrorsAreRetriedAndLatencyIsApplied() async throws {
        let cluster = try EmbeddedCluster(brokers: 1)
        defer { Task { await cluster.shutdown() } }
        try await cluster.createTopic(TopicSpec(name: "flaky", partitions: 1, replicationFactor: 1))
        try await cluster.injectErrors(.produce, ["NOT_LEADER_FOR_PARTITION", "REQUEST_TIMED_OUT"])
        let producer = try Producer(config: Self.producerConfig(cluster))
        let report = try await producer.send(topic: "flaky", key: nil, value: Payload.make(id: 1))
        #expect(report.error == nil)
        try await cluster.setLatency(broker: 1, .milliseconds(300))
        let clock = ContinuousClock()
        let start = clock.now
        _ = try await producer.send(topic: "flaky", key: nil, value: Payload.make(id: 2))
        #expect(clock.now - start >= .milliseconds(250), "round trip slowed by the injected latency")
        await producer.close()
        await #expect(throws: KafkaError.self) { try await cluster.injectErrors(.produce, ["NO_SUCH_ERROR"]) }
    }
}

@Suite("Client statistics", .serialized)
struct ClientStatisticsTests {
    @Test func consumerStatisticsDecodeWithLagPerPartition() async throws {
        let cluster = try EmbeddedCluster(brokers: 1)
        defer { Task { await cluster.shutdown() } }
        try await cluster.createTopic(TopicSpec(name: "stats", partitions: 2, replicationFactor: 1))
        let producer = try Producer(config: cluster.config())
        for i in 0..<10 { _ = try await producer.send(topic: "stats", partition: Int32(i % 2), key: nil, value: Payload.make(id: UInt64(i))) }
        await producer.close()
        let latest = Mutex<ClientStatistics?>(nil)
        let consumer = try Consumer(config: cluster.config(["group.id": "stats-reader", "statistics.interval.ms": "100",
                                                            "enable.auto.commit": "false"]),
                                    onStatistics: { json in if let s = try? ClientStatistics.decode(json) { latest.withLock { $0 = s } } })
        try consumer.assign([TopicPartitionOffset(topic: "stats", partition: 0, offset: TopicPartitionOffset.beginning),
                             TopicPartitionOffset(topic: "stats", partition: 1, offset: TopicPartitionOffset.beginning)])
        // Read until the statistics show both partitions with no lag left (or every record arrived).
        _ = try await consumer.records(within: .seconds(10), until: { rs in
            latest.withLock { $0?.consumerLag.count == 2 && $0!.consumerLag.values.reduce(0, +) == 0 } || rs.count >= 10
        })
        let stats = try #require(latest.withLock { $0 })
        #expect(stats.type == "consumer")
        #expect(stats.brokers.values.contains { $0.nodeid == 1 })
        #expect(stats.topics["stats"]?.partitions.count ?? 0 >= 2)
        await consumer.close()
    }
}

@Suite("Groups and transactions on the embedded cluster", .serialized)
struct GroupAndTransactionTests {
    @Test("cooperative-sticky rebalances are incremental", arguments: ["cooperative-sticky", "range"])
    func rebalanceProtocols(_ strategy: String) async throws {
        let cluster = try EmbeddedCluster(brokers: 3)
        defer { Task { await cluster.shutdown() } }
        try await cluster.createTopic(TopicSpec(name: "shared", partitions: 4, replicationFactor: 3))
        let events = Mutex<[(String, RebalanceEvent)]>([])
        func consumer(_ name: String) throws -> Consumer {
            try Consumer(config: cluster.config(["group.id": "g-\(strategy)", "partition.assignment.strategy": strategy,
                                                 "session.timeout.ms": "6000", "heartbeat.interval.ms": "300"]),
                         onRebalance: { e, _ in events.withLock { $0.append((name, e)) } })
        }
        let a = try consumer("a")
        try a.subscribe(["shared"])
        _ = try await a.records(within: .seconds(10), until: { _ in events.withLock { $0.contains { $0.0 == "a" && $0.1.kind == .assigned } } })
        let b = try consumer("b")
        try b.subscribe(["shared"])
        // Both keep polling (that is how they take part in the rebalance) until the group settles.
        let deadline = ContinuousClock.now + .seconds(30)
        var sizes = (0, 0)
        repeat {
            async let ra = a.records(within: .milliseconds(200))
            async let rb = b.records(within: .milliseconds(200))
            _ = try await (ra, rb)
            sizes = (try a.assignment().count, try b.assignment().count)
        } while !(sizes.0 + sizes.1 == 4 && sizes.0 > 0 && sizes.1 > 0) && ContinuousClock.now < deadline
        #expect(sizes.0 + sizes.1 == 4 && sizes.0 > 0 && sizes.1 > 0, "assignment \(sizes)")
        let log = events.withLock { $0 }
        let protocols = Set(log.map(\.1.protocolName))
        if strategy == "cooperative-sticky" {
            #expect(protocols == ["COOPERATIVE"])
            // Incremental: a gives up only what b takes; it is never revoked everything.
            #expect(!log.contains { $0.0 == "a" && $0.1.kind == .revoked && $0.1.partitions.count == 4 })
        } else {
            #expect(protocols == ["EAGER"])
            #expect(log.contains { $0.0 == "a" && $0.1.kind == .revoked && $0.1.partitions.count == 4 })
        }
        await a.close()
        await b.close()
    }

    @Test func transactionCommitsAndFencingIsATypedError() async throws {
        let cluster = try EmbeddedCluster(brokers: 3)
        defer { Task { await cluster.shutdown() } }
        try await cluster.createTopic(TopicSpec(name: "tx", partitions: 1, replicationFactor: 3))
        let producer = try Producer(config: cluster.config(["transactional.id": "tx-1"]))
        cluster.registerCoordinatorKey("tx-1", type: .transaction)
        try await producer.initTransactions()
        try producer.beginTransaction()
        _ = try await producer.send(topic: "tx", key: nil, value: Payload.make(id: 1))
        try await producer.commitTransaction()
        // A newer instance's epoch bump, as the broker reports it to the zombie.
        try producer.beginTransaction()
        _ = try await producer.send(topic: "tx", key: nil, value: Payload.make(id: 2))
        try await cluster.injectErrors(.endTxn, ["PRODUCER_FENCED"])
        do {
            try await producer.commitTransaction()
            Issue.record("a fenced producer must not commit")
        } catch let error as KafkaError {
            #expect(error.isFenced, "\(error)")
            #expect(error.isFatal, "\(error)")
        }
        await producer.close(flushTimeout: .zero)
    }
}

@Suite("Admin API against a cluster without one")
struct AdminWithoutSupportTests {
    /// The mock has no Admin API: every call must end in a KafkaError within its time limit, never hang
    /// or crash, so that the compose and external backends can rely on the same code.
    /// A commit waits for the coordinator's answer at most its limit (librdkafka's own synchronous commit
    /// has none), and is answered once the coordinator answers again.
    @Test func aCommitToACoordinatorThatDoesNotAnswerEndsAtItsLimit() async throws {
        let cluster = try EmbeddedCluster(brokers: 3)
        defer { Task { await cluster.shutdown() } }
        try await cluster.createTopic(TopicSpec(name: "c", partitions: 1, replicationFactor: 3))
        let group = "slow-coordinator-\(UUID().uuidString)"
        try await cluster.placeCoordinator(group, type: .group, on: 2)
        let consumer = try Consumer(config: cluster.config(["group.id": group, "enable.auto.commit": "false"]))
        let offsets = [TopicPartitionOffset(topic: "c", partition: 0, offset: 0)]
        try consumer.assign(offsets)
        try await consumer.commit(offsets)
        try await cluster.setLatency(broker: 2, .seconds(4))
        let start = ContinuousClock.now
        let error = await #expect(throws: KafkaError.self) { try await consumer.commit(offsets, within: .seconds(1)) }
        #expect(ContinuousClock.now - start >= .seconds(1), "the limit, not another failure, ended it")
        #expect(error?.detail.contains("did not answer within 1 s") == true, "\(String(describing: error))")
        try await cluster.setLatency(broker: 2, .zero)
        try await consumer.commit(offsets, within: .seconds(15))
        consumer.kill()
    }

    @Test func adminCallsFailCleanlyAndBoundedOnTheMock() async throws {
        let cluster = try EmbeddedCluster(brokers: 1)
        defer { Task { await cluster.shutdown() } }
        try await cluster.createTopic(TopicSpec(name: "a", partitions: 1, replicationFactor: 1))
        let admin = try Admin(config: cluster.config())
        defer { admin.close() }
        let clock = ContinuousClock()
        let start = clock.now
        await #expect(throws: KafkaError.self) { try await admin.createTopics([TopicSpec(name: "b")], timeout: .seconds(3)) }
        await #expect(throws: KafkaError.self) { _ = try await admin.describeConfigs(topic: "a", timeout: .seconds(3)) }
        await #expect(throws: KafkaError.self) { try await admin.alterConfigs(topic: "a", ["retention.ms": "1000"], timeout: .seconds(3)) }
        await #expect(throws: KafkaError.self) {
            _ = try await admin.deleteRecords(before: [TopicPartitionOffset(topic: "a", partition: 0, offset: 0)], timeout: .seconds(3))
        }
        await #expect(throws: KafkaError.self) { _ = try await admin.describeGroup("nobody", timeout: .seconds(3)) }
        #expect(clock.now - start < .seconds(45))
    }

    /// librdkafka reads a negative timeout as "forever": a deadline just passed must give 0 ms, not -1.
    @Test func aTimeoutPastItsDeadlineIsZeroNotForever() {
        #expect(Duration.microseconds(-1500).milliseconds == 0)
        #expect(Duration.seconds(-3).milliseconds == 0)
        #expect(Duration.microseconds(2500).milliseconds == 2)
    }

    @Test func consumerProtocolAssignmentsDecode() {
        // version 1, one topic "ab" with partitions 0 and 5, no user data
        let bytes: [UInt8] = [0, 1, 0, 0, 0, 1, 0, 2, 0x61, 0x62, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 5, 0xff, 0xff, 0xff, 0xff]
        #expect(GroupDescription.decodeAssignment(bytes) == ["ab": [0, 5]])
        #expect(GroupDescription.decodeAssignment([]) == [:])
        #expect(GroupDescription.decodeAssignment(Array(bytes.prefix(9))) == nil)
        #expect(GroupDescription.decodeAssignment([0, 1, 0, 0, 0, 1, 0, 2, 0x61, 0x62, 0x7f, 0xff, 0xff, 0xff]) == nil)
    }
}
