import CRdKafka

extension Producer {
    /// Enqueues one record with headers and its own timestamp (milliseconds since the epoch): what a
    /// mirror needs to keep the source's timestamps, and a stream drill to write event times.
    public func produce(topic: String, partition: Int32? = nil, key: [UInt8]?, value: [UInt8],
                        headers: [(String, [UInt8])] = [], timestamp: Int64, token: UInt64) throws(KafkaError) {
        let list = rd_kafka_headers_new(max(1, headers.count))!
        for (name, bytes) in headers {
            _ = bytes.withUnsafeBytes { rd_kafka_header_add(list, name, -1, $0.baseAddress, $0.count) }
        }
        let error: OpaquePointer? = topic.withCString { topicName in
            value.withUnsafeBytes { v in
                (key ?? []).withUnsafeBytes { k in
                    var vus = [rd_kafka_vu_t](repeating: rd_kafka_vu_t(), count: 8)
                    vus[0].vtype = RD_KAFKA_VTYPE_TOPIC; vus[0].u.cstr = topicName
                    vus[1].vtype = RD_KAFKA_VTYPE_PARTITION; vus[1].u.i32 = partition ?? -1
                    vus[2].vtype = RD_KAFKA_VTYPE_VALUE
                    vus[2].u.mem.ptr = UnsafeMutableRawPointer(mutating: v.baseAddress); vus[2].u.mem.size = v.count
                    vus[3].vtype = RD_KAFKA_VTYPE_KEY
                    vus[3].u.mem.ptr = key == nil ? nil : UnsafeMutableRawPointer(mutating: k.baseAddress)
                    vus[3].u.mem.size = key == nil ? 0 : k.count
                    vus[4].vtype = RD_KAFKA_VTYPE_HEADERS; vus[4].u.headers = list
                    vus[5].vtype = RD_KAFKA_VTYPE_OPAQUE; vus[5].u.ptr = UnsafeMutableRawPointer(bitPattern: UInt(token))
                    vus[6].vtype = RD_KAFKA_VTYPE_MSGFLAGS; vus[6].u.i = RD_KAFKA_MSG_F_COPY
                    vus[7].vtype = RD_KAFKA_VTYPE_TIMESTAMP; vus[7].u.i64 = timestamp
                    return rd_kafka_produceva(handle, vus, vus.count)
                }
            }
        }
        if let error {
            rd_kafka_headers_destroy(list) // not taken over on failure
            throw KafkaError(consuming: error)
        }
    }
}
