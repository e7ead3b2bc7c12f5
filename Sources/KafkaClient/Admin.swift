import CRdKafka

/// Kafka's Admin API, for backends that have one (not the embedded mock).
public final class Admin: KafkaClient, @unchecked Sendable {

    public init(config: KafkaConfig) throws(KafkaError) {
        let conf = try config.makeConf()
        // Kept to explain a call that failed: a refused connection, a TLS handshake, an unparsable answer.
        rd_kafka_conf_set_error_cb(conf) { rk, code, reason, _ in
            ClientErrors.record(rk, code, reason.map { String(cString: $0) } ?? "")
        }
        var buffer = [CChar](repeating: 0, count: 512)
        guard let handle = rd_kafka_new(RD_KAFKA_PRODUCER, conf, &buffer, buffer.count) else {
            throw KafkaError(code: RD_KAFKA_RESP_ERR__INVALID_ARG, detail: text(of: buffer))
        }
        super.init(handle: handle)
    }

    public func createTopics(_ specs: [TopicSpec], timeout: Duration = .seconds(30)) async throws {
        try await blocking("admin request") { handle in
            var errbuf = [CChar](repeating: 0, count: 512)
            var topics: [OpaquePointer?] = []
            defer { topics.forEach { rd_kafka_NewTopic_destroy($0) } }
            for spec in specs {
                guard
                    let t = rd_kafka_NewTopic_new(
                        spec.name, spec.partitions, spec.replicationFactor, &errbuf, errbuf.count)
                else {
                    throw KafkaError(
                        code: RD_KAFKA_RESP_ERR__INVALID_ARG, detail: "topic \(spec.name): \(text(of: errbuf))")
                }
                for (k, v) in spec.configs.sorted(by: { $0.key < $1.key }) {
                    try KafkaError.check(rd_kafka_NewTopic_set_config(t, k, v), "topic \(spec.name) config \(k)=\(v)")
                }
                topics.append(t)
            }
            try Admin.call(handle, RD_KAFKA_ADMIN_OP_CREATETOPICS, timeout: timeout) { options, queue in
                rd_kafka_CreateTopics(handle, &topics, topics.count, options, queue)
            } results: { event in
                var count = 0
                let results = rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(event), &count)
                return Admin.topicErrors(results, count)
            }
        }
    }

    public func deleteTopics(_ names: [String], timeout: Duration = .seconds(30)) async throws {
        try await blocking("admin request") { handle in
            var topics: [OpaquePointer?] = names.map { rd_kafka_DeleteTopic_new($0) }
            defer { topics.forEach { rd_kafka_DeleteTopic_destroy($0) } }
            try Admin.call(handle, RD_KAFKA_ADMIN_OP_DELETETOPICS, timeout: timeout) { options, queue in
                rd_kafka_DeleteTopics(handle, &topics, topics.count, options, queue)
            } results: { event in
                var count = 0
                let results = rd_kafka_DeleteTopics_result_topics(rd_kafka_event_DeleteTopics_result(event), &count)
                return Admin.topicErrors(results, count)
            }
        }
    }

    /// Raises a topic's partition count.
    public func createPartitions(topic: String, totalCount: Int, timeout: Duration = .seconds(30)) async throws {
        try await blocking("admin request") { handle in
            var errbuf = [CChar](repeating: 0, count: 512)
            guard let p = rd_kafka_NewPartitions_new(topic, totalCount, &errbuf, errbuf.count) else {
                throw KafkaError(code: RD_KAFKA_RESP_ERR__INVALID_ARG, detail: text(of: errbuf))
            }
            var list: [OpaquePointer?] = [p]
            defer { rd_kafka_NewPartitions_destroy(p) }
            try Admin.call(handle, RD_KAFKA_ADMIN_OP_CREATEPARTITIONS, timeout: timeout) { options, queue in
                rd_kafka_CreatePartitions(handle, &list, 1, options, queue)
            } results: { event in
                var count = 0
                let results = rd_kafka_CreatePartitions_result_topics(
                    rd_kafka_event_CreatePartitions_result(event), &count)
                return Admin.topicErrors(results, count)
            }
        }
    }

    /// A topic's configuration, as the brokers report it (defaults included).
    public func describeConfigs(topic: String, timeout: Duration = .seconds(30)) async throws -> [String: String] {
        try await blocking("admin request") { handle in
            var resources: [OpaquePointer?] = [rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic)]
            defer { rd_kafka_ConfigResource_destroy(resources[0]) }
            var configs: [String: String] = [:]
            try Admin.call(handle, RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS, timeout: timeout) { options, queue in
                rd_kafka_DescribeConfigs(handle, &resources, 1, options, queue)
            } results: { event in
                var count = 0
                guard
                    let results = rd_kafka_DescribeConfigs_result_resources(
                        rd_kafka_event_DescribeConfigs_result(event), &count)
                else { return [] }
                var problems: [String] = []
                for i in 0..<count {
                    guard let r = results[i] else { continue }
                    if rd_kafka_ConfigResource_error(r) != RD_KAFKA_RESP_ERR_NO_ERROR {
                        problems.append(
                            "\(topic): \(rd_kafka_ConfigResource_error_string(r).map { String(cString: $0) } ?? "")")
                        continue
                    }
                    var n = 0
                    guard let entries = rd_kafka_ConfigResource_configs(r, &n) else { continue }
                    for j in 0..<n {
                        guard let e = entries[j] else { continue }
                        configs[string(rd_kafka_ConfigEntry_name(e), or: "")] =
                            rd_kafka_ConfigEntry_value(e).map { String(cString: $0) } ?? ""
                    }
                }
                return problems
            }
            return configs
        }
    }

    /// A topic's or a broker's configuration entries with where each value comes from. A sensitive
    /// entry (a password) has no value here: it never leaves this function.
    public func configEntries(
        _ kind: ConfigEntry.Resource, _ name: String,
        timeout: Duration = .seconds(30)
    ) async throws -> [ConfigEntry] {
        try await blocking("admin request") { handle in
            let type = kind == .topic ? RD_KAFKA_RESOURCE_TOPIC : RD_KAFKA_RESOURCE_BROKER
            var resources: [OpaquePointer?] = [rd_kafka_ConfigResource_new(type, name)]
            defer { rd_kafka_ConfigResource_destroy(resources[0]) }
            var out: [ConfigEntry] = []
            try Admin.call(handle, RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS, timeout: timeout) { options, queue in
                rd_kafka_DescribeConfigs(handle, &resources, 1, options, queue)
            } results: { event in
                var count = 0
                let result = rd_kafka_event_DescribeConfigs_result(event)
                guard let results = rd_kafka_DescribeConfigs_result_resources(result, &count) else { return [] }
                var problems: [String] = []
                for i in 0..<count {
                    guard let r = results[i] else { continue }
                    if rd_kafka_ConfigResource_error(r) != RD_KAFKA_RESP_ERR_NO_ERROR {
                        let why = rd_kafka_ConfigResource_error_string(r).map { String(cString: $0) } ?? ""
                        problems.append("\(kind.rawValue) \(name): \(why)")
                        continue
                    }
                    var n = 0
                    guard let entries = rd_kafka_ConfigResource_configs(r, &n) else { continue }
                    for j in 0..<n {
                        guard let e = entries[j] else { continue }
                        let sensitive = rd_kafka_ConfigEntry_is_sensitive(e) != 0
                        let value = sensitive ? nil : rd_kafka_ConfigEntry_value(e).map { String(cString: $0) }
                        out.append(
                            ConfigEntry(
                                name: string(rd_kafka_ConfigEntry_name(e), or: ""), value: value,
                                isDefault: rd_kafka_ConfigEntry_is_default(e) != 0,
                                isSensitive: sensitive,
                                isReadOnly: rd_kafka_ConfigEntry_is_read_only(e) != 0))
                    }
                }
                return problems
            }
            return out.sorted { $0.name < $1.name }
        }
    }

    /// Sets a topic's dynamic configuration. This is Kafka's (non-incremental) AlterConfigs: keys not
    /// given return to their defaults, so pass every override the topic should keep.
    public func alterConfigs(topic: String, _ configs: [String: String], timeout: Duration = .seconds(30)) async throws
    {
        try await blocking("admin request") { handle in
            let resource = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic)
            defer { rd_kafka_ConfigResource_destroy(resource) }
            for (k, v) in configs.sorted(by: { $0.key < $1.key }) {
                try KafkaError.check(rd_kafka_ConfigResource_set_config(resource, k, v), "topic \(topic) config \(k)")
            }
            var resources: [OpaquePointer?] = [resource]
            try Admin.call(handle, RD_KAFKA_ADMIN_OP_ALTERCONFIGS, timeout: timeout) { options, queue in
                rd_kafka_AlterConfigs(handle, &resources, 1, options, queue)
            } results: { event in
                var count = 0
                guard
                    let results = rd_kafka_AlterConfigs_result_resources(
                        rd_kafka_event_AlterConfigs_result(event), &count)
                else { return [] }
                return (0..<count).compactMap { i in
                    guard let r = results[i], rd_kafka_ConfigResource_error(r) != RD_KAFKA_RESP_ERR_NO_ERROR else {
                        return nil
                    }
                    return "\(topic): \(rd_kafka_ConfigResource_error_string(r).map { String(cString: $0) } ?? "")"
                }
            }
        }
    }

    /// Deletes the records before the given offsets; returns each partition's new low watermark.
    public func deleteRecords(before offsets: [TopicPartitionOffset], timeout: Duration = .seconds(60)) async throws
        -> [TopicPartitionOffset]
    {
        try await blocking("admin request") { handle in
            let list = TopicPartitionOffset.makeList(offsets)
            defer { rd_kafka_topic_partition_list_destroy(list) }
            var request: [OpaquePointer?] = [rd_kafka_DeleteRecords_new(list)]
            defer { rd_kafka_DeleteRecords_destroy(request[0]) }
            var low: [TopicPartitionOffset] = []
            try Admin.call(handle, RD_KAFKA_ADMIN_OP_DELETERECORDS, timeout: timeout) { options, queue in
                rd_kafka_DeleteRecords(handle, &request, 1, options, queue)
            } results: { event in
                guard let result = rd_kafka_DeleteRecords_result_offsets(rd_kafka_event_DeleteRecords_result(event))
                else { return [] }
                var problems: [String] = []
                for i in 0..<Int(result.pointee.cnt) {
                    let e = result.pointee.elems[i]
                    let tpo = TopicPartitionOffset(
                        topic: string(e.topic, or: ""), partition: e.partition, offset: e.offset)
                    if e.err != RD_KAFKA_RESP_ERR_NO_ERROR {
                        problems.append("\(tpo): \(String(cString: rd_kafka_err2name(e.err)))")
                    } else {
                        low.append(tpo)
                    }
                }
                return problems
            }
            return low
        }
    }

    /// Consumer groups the cluster knows, with their state.
    public func listGroups(timeout: Duration = .seconds(10)) async throws -> [(name: String, state: String)] {
        try await blocking("admin request") { handle in
            var list: UnsafePointer<rd_kafka_group_list>?
            try KafkaError.check(rd_kafka_list_groups(handle, nil, &list, timeout.milliseconds), "list groups")
            guard let list else { return [] }
            defer { rd_kafka_group_list_destroy(list) }
            return (0..<Int(list.pointee.group_cnt)).map { i in
                let g = list.pointee.groups[i]
                return (string(g.group, or: ""), string(g.state, or: ""))
            }
        }
    }

    /// One group as its coordinator describes it (DescribeGroups): state, protocol and each member
    /// with its decoded partition assignment. Nil when no broker knows the group.
    public func describeGroup(_ name: String, timeout: Duration = .seconds(10)) async throws -> GroupDescription? {
        try await blocking("admin request") { handle in
            var list: UnsafePointer<rd_kafka_group_list>?
            try KafkaError.check(
                rd_kafka_list_groups(handle, name, &list, timeout.milliseconds), "describe group \(name)")
            guard let list else { return nil }
            defer { rd_kafka_group_list_destroy(list) }
            guard list.pointee.group_cnt > 0 else { return nil }
            let g = list.pointee.groups[0]
            try KafkaError.check(g.err, "describe group \(name)")
            let members = (0..<Int(g.member_cnt)).map { i -> GroupDescription.Member in
                let m = g.members[i]
                let assignment =
                    m.member_assignment.map {
                        Array(UnsafeRawBufferPointer(start: $0, count: Int(m.member_assignment_size)))
                    } ?? []
                return GroupDescription.Member(
                    memberId: string(m.member_id, or: ""), clientId: string(m.client_id, or: ""),
                    host: string(m.client_host, or: ""),
                    assignment: string(g.protocol_type, or: "") == "consumer"
                        ? GroupDescription.decodeAssignment(assignment) : nil)
            }
            return GroupDescription(
                name: String(cString: g.group), state: String(cString: g.state),
                protocolType: String(cString: g.protocol_type),
                protocolName: String(cString: g.protocol), members: members)
        }
    }

    private static func topicErrors(_ results: UnsafeMutablePointer<OpaquePointer?>?, _ count: Int) -> [String] {
        guard let results else { return [] }
        return (0..<count).compactMap { i in
            guard let r = results[i], rd_kafka_topic_result_error(r) != RD_KAFKA_RESP_ERR_NO_ERROR else { return nil }
            let name = string(rd_kafka_topic_result_name(r), or: "")
            let detail = rd_kafka_topic_result_error_string(r).map { String(cString: $0) } ?? ""
            return "\(name): \(String(cString: rd_kafka_err2name(rd_kafka_topic_result_error(r)))) \(detail)"
        }
    }

    /// Runs one admin request on a private queue and waits, bounded, for its result event.
    private static func call(
        _ handle: OpaquePointer, _ op: rd_kafka_admin_op_t, timeout: Duration,
        _ request: (OpaquePointer?, OpaquePointer?) -> Void,
        results: (OpaquePointer) -> [String]
    ) throws {
        let queue = rd_kafka_queue_new(handle)
        defer { rd_kafka_queue_destroy(queue) }
        let options = rd_kafka_AdminOptions_new(handle, op)
        defer { rd_kafka_AdminOptions_destroy(options) }
        var errbuf = [CChar](repeating: 0, count: 512)
        _ = rd_kafka_AdminOptions_set_request_timeout(options, timeout.milliseconds, &errbuf, errbuf.count)
        request(options, queue)
        guard let event = rd_kafka_queue_poll(queue, timeout.milliseconds + 5000) else {
            throw KafkaError(
                code: RD_KAFKA_RESP_ERR__TIMED_OUT,
                detail: "the admin request got no answer within \(timeout.formatted())")
        }
        defer { rd_kafka_event_destroy(event) }
        let err = rd_kafka_event_error(event)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR {
            throw KafkaError(code: err, detail: rd_kafka_event_error_string(event).map { String(cString: $0) } ?? "")
        }
        let problems = results(event)
        if !problems.isEmpty {
            throw KafkaError(code: RD_KAFKA_RESP_ERR__FAIL, detail: problems.joined(separator: "; "))
        }
    }

    public func close() {
        life.retire { [handle = UnsafeSendable(handle)] in
            rd_kafka_destroy(handle.value)
            ClientErrors.forget(handle.value)
        }
    }

    /// The errors librdkafka raised on this client lately (the last 16), oldest first.
    public func recentErrors() -> [ConnectionDiagnosis.ClientError] {
        // Serves the error callbacks queued so far; with a zero wait this does not block.
        if life.enter() {
            rd_kafka_poll(handle, 0)
            leave()
        }
        return ClientErrors.of(handle)
    }

    deinit {
        if life.retireNow() {
            rd_kafka_destroy(handle)
            ClientErrors.forget(handle)
        }
    }
}

import Synchronization

/// One configuration entry as DescribeConfigs reports it.
public struct ConfigEntry: Sendable, Equatable {
    public enum Resource: String, Sendable { case topic, broker }
    public let name: String
    /// Nil for a sensitive entry (never read) or one without a value.
    public let value: String?
    public let isDefault: Bool
    public let isSensitive: Bool
    public let isReadOnly: Bool
}

/// A consumer group as DescribeGroups reports it.
public struct GroupDescription: Sendable, Equatable {
    public struct Member: Sendable, Equatable {
        public let memberId: String
        public let clientId: String
        public let host: String
        /// Topic → partitions, decoded from the consumer protocol's assignment (nil for other protocols or bad
        /// bytes).
        public let assignment: [String: [Int32]]?
    }
    public let name: String
    public let state: String
    public let protocolType: String
    public let protocolName: String
    public let members: [Member]

    /// The consumer protocol's Assignment: version (int16), then an array of (topic string, array of
    /// int32 partitions), then user data (bytes). Big-endian, as the Kafka protocol is.
    static func decodeAssignment(_ bytes: [UInt8]) -> [String: [Int32]]? {
        var i = 0
        func int16() -> Int16? {
            guard i + 2 <= bytes.count else { return nil }
            defer { i += 2 }
            return Int16(bitPattern: UInt16(bytes[i]) << 8 | UInt16(bytes[i + 1]))
        }
        func int32() -> Int32? {
            guard i + 4 <= bytes.count else { return nil }
            defer { i += 4 }
            return Int32(bitPattern: bytes[i..<(i + 4)].reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
        }
        guard !bytes.isEmpty else { return [:] }
        guard int16() != nil, let topics = int32(), topics >= 0 else { return nil }
        var out: [String: [Int32]] = [:]
        for _ in 0..<topics {
            guard let length = int16(), length >= 0, i + Int(length) <= bytes.count else { return nil }
            let topic = String(decoding: bytes[i..<(i + Int(length))], as: UTF8.self)
            i += Int(length)
            guard let count = int32(), count >= 0, count <= (bytes.count - i) / 4 else { return nil }
            var partitions: [Int32] = []
            for _ in 0..<count { partitions.append(int32()!) }
            out[topic, default: []] += partitions
        }
        return out
    }
}
