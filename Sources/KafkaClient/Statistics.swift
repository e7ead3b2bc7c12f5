import Foundation

/// librdkafka's statistics (`statistics.interval.ms`), the fields the suite reads; the JSON
/// schema is librdkafka's STATISTICS.md.
public struct ClientStatistics: Decodable, Sendable {
    public struct Window: Decodable, Sendable {
        public let min: Int64?
        public let max: Int64?
        public let avg: Int64?
        public let p50: Int64?
        public let p95: Int64?
        public let p99: Int64?
        public let cnt: Int64?
    }

    public struct Broker: Decodable, Sendable {
        public let name: String
        public let nodeid: Int32
        public let state: String
        /// Round-trip times, microseconds.
        public let rtt: Window?
        public let outbuf_cnt: Int64?
        public let waitresp_cnt: Int64?
        public let txretries: Int64?
        public let txerrs: Int64?
        public let req_timeouts: Int64?
    }

    public struct Partition: Decodable, Sendable {
        public let partition: Int32
        public let leader: Int32?
        public let msgq_cnt: Int64?
        public let txmsgs: Int64?
        public let rxmsgs: Int64?
        public let hi_offset: Int64?
        public let lo_offset: Int64?
        public let committed_offset: Int64?
        public let consumer_lag: Int64?
    }

    public struct Topic: Decodable, Sendable {
        public let topic: String
        public let partitions: [String: Partition]
    }

    public struct ConsumerGroup: Decodable, Sendable {
        public let state: String?
        public let join_state: String?
        public let rebalance_cnt: Int64?
        public let assignment_size: Int64?
    }

    public let name: String
    public let client_id: String
    public let type: String
    /// Microseconds since the epoch.
    public let ts: Int64
    public let msg_cnt: Int64?
    public let txmsgs: Int64?
    public let rxmsgs: Int64?
    public let brokers: [String: Broker]
    public let topics: [String: Topic]
    public let cgrp: ConsumerGroup?

    public static func decode(_ json: String) throws -> ClientStatistics {
        try JSONDecoder().decode(ClientStatistics.self, from: Data(json.utf8))
    }

    /// Consumer lag per topic partition (librdkafka's `consumer_lag`; -1 entries dropped).
    public var consumerLag: [TopicPartitionOffset: Int64] {
        var out: [TopicPartitionOffset: Int64] = [:]
        for t in topics.values {
            for p in t.partitions.values where p.partition >= 0 {
                if let lag = p.consumer_lag, lag >= 0 {
                    out[TopicPartitionOffset(topic: t.topic, partition: p.partition)] = lag
                }
            }
        }
        return out
    }
}
