import Foundation
@testable import KafkaClient
@testable import Cluster
import Testing

/// The topics the suite writes with acks=all (a mirror's copies, a stream processor's outputs) keep a
/// broker to spare: a drill's broker kill must leave every partition led. With one replica, librdkafka
/// 2.16's mock (which places partitions round-robin) lost a third of KAF-10's copy when broker 2 died.
@Suite("Replication of the suite's own topics")
struct AcksAllReplicationTests {
    @Test(arguments: [
        (minInsync: Int32(1), brokers: 3, expected: Int32(2)),
        (2, 3, 3), (2, 6, 3), (3, 2, 2), (1, 1, 1), (0, 3, 2), (2, 0, 1),
    ])
    func oneBrokerToSpareAtMostTheBrokersThereAre(_ c: (minInsync: Int32, brokers: Int, expected: Int32)) {
        #expect(ClusterRules.replicationFactorForAcksAll(minInsyncReplicas: c.minInsync, brokers: c.brokers)
                == c.expected)
    }

    /// The kills can fail only on librdkafka 2.16 (CI's second library), whose mock honours a topic's
    /// replication factor; 2.0.2's lists brokers 1–3 as every partition's replicas.
    @Test func aBrokerKillLeavesEveryPartitionOfSuchATopicLedAndReadable() async throws {
        let cluster = try EmbeddedCluster(brokers: 3)
        defer { Task { await cluster.shutdown() } }
        let factor = try await cluster.replicationFactorForAcksAll()
        #expect(factor == 2)
        try await cluster.createTopic(TopicSpec(name: "copies", partitions: 3, replicationFactor: factor))
        let producer = try Producer(config: cluster.config(["acks": "all"]))
        for i in 0..<30 {
            try producer.produce(topic: "copies", partition: Int32(i % 3), key: Array("k\(i)".utf8),
                                 value: Array("v\(i)".utf8), token: UInt64(i))
        }
        try await producer.flush(timeout: .seconds(30))
        await producer.close()
        for broker: Int32 in 1...3 {
            try await cluster.killBroker(broker)
            let md = try await cluster.metadata(topic: "copies")
            let leaders = md.topic("copies")?.partitions.map(\.leader) ?? []
            #expect(leaders.count == 3 && !leaders.contains(broker), "broker \(broker) killed: leaders \(leaders)")
            let reader = try Consumer(config: cluster.config(["group.id": "reader-\(UUID().uuidString)",
                                                              "enable.auto.commit": "false"]))
            try reader.assign((0..<3).map {
                TopicPartitionOffset(topic: "copies", partition: $0, offset: TopicPartitionOffset.beginning)
            })
            let read = try await reader.records(within: .seconds(20), until: { $0.count >= 30 })
            reader.kill()
            #expect(read.count == 30, "broker \(broker) killed: \(read.count) of 30 read")
            try await cluster.restartBroker(broker)
        }
    }
}
