import CRdKafka
import Foundation
import Histogram
import Synchronization

/// Throughput and delivery latency of one producer or consumer configuration — the numbers
/// `kafka-bdd bench` prints and KAF-03's benchmark table shows.
public struct BenchmarkResult: Sendable, CustomStringConvertible {
    public let messages: Int
    public let bytes: Int
    public let seconds: Double
    public let errors: Int
    /// Delivery latency percentiles in milliseconds (producer only).
    public let p50: Double?
    public let p95: Double?
    public let p99: Double?

    public var messagesPerSecond: Double { Double(messages) / max(seconds, 1e-9) }
    public var megabytesPerSecond: Double { Double(bytes) / 1e6 / max(seconds, 1e-9) }

    public var description: String {
        var s = String(
            format: "%d msgs in %.2f s: %.0f msg/s, %.1f MB/s", messages, seconds, messagesPerSecond, megabytesPerSecond
        )
        if let p50, let p95, let p99 {
            s += String(format: ", latency p50 %.2f ms, p95 %.2f ms, p99 %.2f ms", p50, p95, p99)
        }
        if errors > 0 { s += ", \(errors) errors" }
        return s
    }
}

public enum Benchmark {
    static func monotonicNanos() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    /// Delivery latencies. With `.inline` polling every delivery report is served on the one thread
    /// that produces (or flushes), never two at once, so the histogram needs no lock.
    private final class Tally: @unchecked Sendable {
        var histogram = Histogram<UInt64>(highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: .three)
        var errors = 0

        static func record(
            _ batch: UnsafeBufferPointer<UnsafePointer<rd_kafka_message_t>?>, into histogram: inout Histogram<UInt64>,
            errors: inout Int
        ) {
            for m in batch {
                if m!.pointee.err != RD_KAFKA_RESP_ERR_NO_ERROR { errors += 1 }
                histogram.record(UInt64(max(0, rd_kafka_message_latency(m))))
            }
        }
    }

    /// Produces `messages` values of `size` bytes to `topic` with `config` (acks, linger.ms,
    /// compression.type, enable.idempotence, …) and waits for every delivery report.
    public static func produce(config: KafkaConfig, topic: String, messages: Int, size: Int, batch: Int = 1024)
        async throws -> BenchmarkResult
    {
        let tally = Tally()
        // Latencies are recorded straight from librdkafka's messages, a batch at a time, the way the
        // C reference does it: the hot path has no per-record closure or allocation.
        let producer = try Producer(config: config, polling: .inline, onDelivery: nil, onStatistics: nil, onError: nil)
        { batch in
            // One access to the histogram for the whole batch, not one per record.
            Tally.record(batch, into: &tally.histogram, errors: &tally.errors)
        }
        defer { producer.close() }
        let handle = try producer.topic(topic)
        let payload = [UInt8](repeating: UInt8(ascii: "x"), count: size)
        // The clock includes the metadata request, as the C reference's first sends wait for it too.
        let start = monotonicNanos()
        let partitions =
            try await producer.metadata(topic: topic).topics.first { $0.name == topic }?.partitions.count ?? 0
        try await Blocking.run {
            try payload.withUnsafeBytes { value in
                // Keyless records go to one partition a run at a time, as librdkafka's sticky
                // partitioner does, but enqueued a run per call.
                var i = 0, partition: Int32 = 0
                while i < messages {
                    let n = min(batch, messages - i)
                    if partitions > 0 {
                        try producer.produceBatch(
                            handle, partition: partition, value: value, count: n, firstToken: UInt64(i))
                        partition = (partition + 1) % Int32(partitions)
                    } else {
                        for j in i..<(i + n) { try producer.produce(handle, key: nil, value: value, token: UInt64(j)) }
                    }
                    i += n
                    producer.poll()
                }
            }
            try producer.flushInline(timeout: .seconds(120))
        }
        let seconds = Double(monotonicNanos() - start) / 1e9
        let h = tally.histogram
        return BenchmarkResult(
            messages: Int(h.totalCount) - tally.errors, bytes: messages * size, seconds: seconds,
            errors: tally.errors,
            p50: Double(h.valueAtPercentile(50)) / 1000, p95: Double(h.valueAtPercentile(95)) / 1000,
            p99: Double(h.valueAtPercentile(99)) / 1000)
    }

    /// Reads `messages` records from every partition of `topic`, from the beginning, by assignment.
    public static func consume(
        config: KafkaConfig, topic: String, partitions: Int32, messages: Int,
        timeout: Duration = .seconds(120)
    ) async throws -> BenchmarkResult {
        let consumer = try Consumer(
            config: config.merging(KafkaConfig(["enable.auto.commit": "false", "enable.partition.eof": "false"])))
        try await consumer.assignKnowingLeaders(
            (0..<partitions).map {
                TopicPartitionOffset(topic: topic, partition: $0, offset: TopicPartitionOffset.beginning)
            }
        )
        let start = monotonicNanos()
        let (count, bytes, errors) = try await consumer.drain(count: messages, within: timeout)
        let seconds = Double(monotonicNanos() - start) / 1e9
        await consumer.close()
        return BenchmarkResult(
            messages: count, bytes: bytes, seconds: seconds, errors: errors, p50: nil, p95: nil, p99: nil)
    }
}

extension Consumer {
    /// Reads until `count` records were read or the deadline passed, counting records and value
    /// bytes without copying them: the consumer's fast path, a batch of messages per call.
    func drain(count: Int, within timeout: Duration) async throws -> (records: Int, bytes: Int, errors: Int) {
        try await blocking("read") { handle in
            let deadline = Benchmark.monotonicNanos() + UInt64(timeout.milliseconds) * 1_000_000
            guard let queue = rd_kafka_queue_get_consumer(handle) else {
                throw KafkaError(code: RD_KAFKA_RESP_ERR__STATE, detail: "the consumer has no queue")
            }
            defer { rd_kafka_queue_destroy(queue) }
            var records = 0, bytes = 0, errors = 0
            withUnsafeTemporaryAllocation(of: UnsafeMutablePointer<rd_kafka_message_t>?.self, capacity: 4096) {
                buffer in
                while records < count, Benchmark.monotonicNanos() < deadline {
                    let n = rd_kafka_consume_batch_queue(
                        queue, 100, buffer.baseAddress, min(buffer.count, count - records))
                    guard n > 0 else { continue }
                    for m in buffer[0..<n] {
                        let message = m!
                        if message.pointee.err == RD_KAFKA_RESP_ERR_NO_ERROR {
                            records += 1
                            bytes += message.pointee.len
                        } else if message.pointee.err != RD_KAFKA_RESP_ERR__PARTITION_EOF {
                            errors += 1
                        }
                        rd_kafka_message_destroy(message)
                    }
                }
            }
            return (records, bytes, errors)
        }
    }
}
