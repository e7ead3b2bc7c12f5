import CRdKafka

/// Kafka's Admin API, for backends that have one (not the embedded mock).
public final class Admin: KafkaClient, @unchecked Sendable {
    private let closed = Synchronization.Atomic<Bool>(false)

    public init(config: KafkaConfig) throws(KafkaError) {
        let conf = try config.makeConf()
        var buffer = [CChar](repeating: 0, count: 512)
        guard let handle = rd_kafka_new(RD_KAFKA_PRODUCER, conf, &buffer, buffer.count) else {
            throw KafkaError(code: RD_KAFKA_RESP_ERR__INVALID_ARG, detail: text(of: buffer))
        }
        super.init(handle: handle)
    }

    public func createTopics(_ specs: [TopicSpec], timeout: Duration = .seconds(30)) async throws {
        try await Blocking.run { [handle = UnsafeSendable(handle)] in
            var errbuf = [CChar](repeating: 0, count: 512)
            var topics: [OpaquePointer?] = []
            defer { topics.forEach { rd_kafka_NewTopic_destroy($0) } }
            for spec in specs {
                guard let t = rd_kafka_NewTopic_new(spec.name, spec.partitions, spec.replicationFactor, &errbuf, errbuf.count) else {
                    throw KafkaError(code: RD_KAFKA_RESP_ERR__INVALID_ARG, detail: "topic \(spec.name): \(text(of: errbuf))")
                }
                for (k, v) in spec.configs.sorted(by: { $0.key < $1.key }) {
                    try KafkaError.check(rd_kafka_NewTopic_set_config(t, k, v), "topic \(spec.name) config \(k)=\(v)")
                }
                topics.append(t)
            }
            try Admin.call(handle.value, RD_KAFKA_ADMIN_OP_CREATETOPICS, timeout: timeout) { options, queue in
                rd_kafka_CreateTopics(handle.value, &topics, topics.count, options, queue)
            } results: { event in
                var count = 0
                let results = rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(event), &count)
                return Admin.topicErrors(results, count)
            }
        }
    }

    public func deleteTopics(_ names: [String], timeout: Duration = .seconds(30)) async throws {
        try await Blocking.run { [handle = UnsafeSendable(handle)] in
            var topics: [OpaquePointer?] = names.map { rd_kafka_DeleteTopic_new($0) }
            defer { topics.forEach { rd_kafka_DeleteTopic_destroy($0) } }
            try Admin.call(handle.value, RD_KAFKA_ADMIN_OP_DELETETOPICS, timeout: timeout) { options, queue in
                rd_kafka_DeleteTopics(handle.value, &topics, topics.count, options, queue)
            } results: { event in
                var count = 0
                let results = rd_kafka_DeleteTopics_result_topics(rd_kafka_event_DeleteTopics_result(event), &count)
                return Admin.topicErrors(results, count)
            }
        }
    }

    /// Raises a topic's partition count.
    public func createPartitions(topic: String, totalCount: Int, timeout: Duration = .seconds(30)) async throws {
        try await Blocking.run { [handle = UnsafeSendable(handle)] in
            var errbuf = [CChar](repeating: 0, count: 512)
            guard let p = rd_kafka_NewPartitions_new(topic, totalCount, &errbuf, errbuf.count) else {
                throw KafkaError(code: RD_KAFKA_RESP_ERR__INVALID_ARG, detail: text(of: errbuf))
            }
            var list: [OpaquePointer?] = [p]
            defer { rd_kafka_NewPartitions_destroy(p) }
            try Admin.call(handle.value, RD_KAFKA_ADMIN_OP_CREATEPARTITIONS, timeout: timeout) { options, queue in
                rd_kafka_CreatePartitions(handle.value, &list, 1, options, queue)
            } results: { event in
                var count = 0
                let results = rd_kafka_CreatePartitions_result_topics(rd_kafka_event_CreatePartitions_result(event), &count)
                return Admin.topicErrors(results, count)
            }
        }
    }

    /// Consumer groups the cluster knows, with their state.
    public func listGroups(timeout: Duration = .seconds(10)) async throws -> [(name: String, state: String)] {
        try await Blocking.run { [handle = UnsafeSendable(handle)] in
            var list: UnsafePointer<rd_kafka_group_list>?
            try KafkaError.check(rd_kafka_list_groups(handle.value, nil, &list, timeout.milliseconds), "list groups")
            guard let list else { return [] }
            defer { rd_kafka_group_list_destroy(list) }
            return (0..<Int(list.pointee.group_cnt)).map { i in
                let g = list.pointee.groups[i]
                return (String(cString: g.group), String(cString: g.state))
            }
        }
    }

    private static func topicErrors(_ results: UnsafeMutablePointer<OpaquePointer?>?, _ count: Int) -> [String] {
        guard let results else { return [] }
        return (0..<count).compactMap { i in
            guard let r = results[i], rd_kafka_topic_result_error(r) != RD_KAFKA_RESP_ERR_NO_ERROR else { return nil }
            let name = String(cString: rd_kafka_topic_result_name(r))
            let detail = rd_kafka_topic_result_error_string(r).map { String(cString: $0) } ?? ""
            return "\(name): \(String(cString: rd_kafka_err2name(rd_kafka_topic_result_error(r)))) \(detail)"
        }
    }

    /// Runs one admin request on a private queue and waits, bounded, for its result event.
    private static func call(_ handle: OpaquePointer, _ op: rd_kafka_admin_op_t, timeout: Duration,
                             _ request: (OpaquePointer?, OpaquePointer?) -> Void,
                             results: (OpaquePointer) -> [String]) throws {
        let queue = rd_kafka_queue_new(handle)
        defer { rd_kafka_queue_destroy(queue) }
        let options = rd_kafka_AdminOptions_new(handle, op)
        defer { rd_kafka_AdminOptions_destroy(options) }
        var errbuf = [CChar](repeating: 0, count: 512)
        _ = rd_kafka_AdminOptions_set_request_timeout(options, timeout.milliseconds, &errbuf, errbuf.count)
        request(options, queue)
        guard let event = rd_kafka_queue_poll(queue, timeout.milliseconds + 5000) else {
            throw KafkaError(code: RD_KAFKA_RESP_ERR__TIMED_OUT, detail: "the admin request got no answer within \(timeout.formatted())")
        }
        defer { rd_kafka_event_destroy(event) }
        let err = rd_kafka_event_error(event)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR {
            throw KafkaError(code: err, detail: rd_kafka_event_error_string(event).map { String(cString: $0) } ?? "")
        }
        let problems = results(event)
        if !problems.isEmpty { throw KafkaError(code: RD_KAFKA_RESP_ERR__FAIL, detail: problems.joined(separator: "; ")) }
    }

    public func close() {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        rd_kafka_destroy(handle)
    }

    deinit { close() }
}

import Synchronization
