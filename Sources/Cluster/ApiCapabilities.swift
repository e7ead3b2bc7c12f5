import KafkaClient

/// Which Kafka requests each capability sends, so a cluster's ApiVersions answer tells what it lacks
/// instead of the harness assuming the whole of Kafka. The keys are the requests this harness's
/// librdkafka 2.0.2 sends: its topic-config change is AlterConfigs (33), not IncrementalAlterConfigs (44).
public enum ApiCapabilities {
    public struct Request: Sendable, Hashable, CustomStringConvertible {
        public let key: Int16
        public let name: String
        public var description: String { "\(name) (API key \(key))" }
    }

    static func r(_ key: Int16, _ name: String) -> Request { Request(key: key, name: name) }

    static let initProducerId = r(22, "InitProducerId")
    static let transactional = [initProducerId, r(24, "AddPartitionsToTxn"), r(26, "EndTxn")]

    /// Every request a capability needs; a capability missing any of them is not there.
    public static let needs: [ClusterCapability: [Request]] = [
        .consumerGroups: [
            r(8, "OffsetCommit"), r(9, "OffsetFetch"), r(10, "FindCoordinator"), r(11, "JoinGroup"),
            r(12, "Heartbeat"), r(13, "LeaveGroup"), r(14, "SyncGroup"),
        ],
        .admin: [r(19, "CreateTopics"), r(20, "DeleteTopics")],
        .partitionIncrease: [r(37, "CreatePartitions")],
        .topicConfigs: [r(32, "DescribeConfigs"), r(33, "AlterConfigs")],
        .deleteRecords: [r(21, "DeleteRecords")],
        .idempotentDeduplication: [initProducerId],
        .fencing: [initProducerId],
        .transactions: transactional,
        .transactionIsolation: transactional,
        .transactionalOffsets: transactional + [r(25, "AddOffsetsToTxn"), r(28, "TxnOffsetCommit")],
        .reassignment: [r(45, "AlterPartitionReassignments"), r(46, "ListPartitionReassignments")],
        .leaderElection: [r(43, "ElectLeaders")],
    ]

    /// The capabilities whose requests are not all among `supported`, each with the requests it lacks.
    public static func missing(supported: Set<Int16>) -> [ClusterCapability: [Request]] {
        needs.compactMapValues { requests in
            let lacking = requests.filter { !supported.contains($0.key) }
            return lacking.isEmpty ? nil : lacking
        }
    }

    /// What every broker supports: a request only some brokers offer is not relied on.
    public static func common(_ answers: [[BrokerProbe.ApiVersionRange]]) -> Set<Int16> {
        answers.map { Set($0.map(\.key)) }.reduce(nil) { (acc: Set<Int16>?, keys) in acc?.intersection(keys) ?? keys }
            ?? []
    }
}
