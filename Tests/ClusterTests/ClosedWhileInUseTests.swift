import Cluster
import Foundation
import KafkaClient
import Synchronization
import Testing

/// A client closed or killed by one task while another polls, produces or commits on it: the call in
/// flight finishes on a live handle and the next fails with "the client was closed". Before, the handle
/// was freed under the call (a CI run aborted with SIGABRT inside librdkafka).
@Suite("Clients closed while in use")
struct ClosedWhileInUseTests {
    @Test func aConsumerKilledWhileReadingStopsTheReadWithAnError() async throws {
        let cluster = try EmbeddedCluster(brokers: 1)
        try await cluster.createTopic(TopicSpec(name: "t", partitions: 1, replicationFactor: 1))
        for _ in 0..<20 {
            let consumer = try Consumer(config: cluster.config(["group.id": "g", "auto.offset.reset": "earliest"]))
            try consumer.subscribe(["t"])
            // Nothing is ever written: the read would poll for its whole 30 s.
            let reading = Task { try await consumer.records(atMost: 1, within: .seconds(30)) }
            try await Task.sleep(for: .milliseconds(Int.random(in: 0...150)))
            let killed = ContinuousClock.now
            consumer.kill()
            let outcome = await reading.result
            #expect(ContinuousClock.now - killed < .seconds(10), "the read ended soon after the kill")
            switch outcome {
            case .success(let records): Issue.record("a killed consumer's read returned \(records.count) records")
            case .failure(let error): #expect((error as? KafkaError)?.isClosedClient == true, "\(error)")
            }
            #expect(throws: KafkaError.self) { try consumer.assignment() }
        }
        await cluster.shutdown()
    }

    @Test func aConsumerClosedWhileReadingLeavesAfterTheRead() async throws {
        let cluster = try EmbeddedCluster(brokers: 1)
        try await cluster.createTopic(TopicSpec(name: "t", partitions: 1, replicationFactor: 1))
        let consumer = try Consumer(config: cluster.config(["group.id": "g2", "auto.offset.reset": "earliest"]))
        try consumer.subscribe(["t"])
        let reading = Task { try await consumer.records(atMost: 1, within: .seconds(30)) }
        try await Task.sleep(for: .milliseconds(100))
        await consumer.close()
        let outcome = await reading.result
        if case .success(let records) = outcome { Issue.record("a closed consumer's read returned \(records.count) records") }
        await consumer.close() // idempotent
        await cluster.shutdown()
    }

    @Test func aProducerClosedWhileProducingRefusesTheNextRecord() async throws {
        let cluster = try EmbeddedCluster(brokers: 1)
        try await cluster.createTopic(TopicSpec(name: "t", partitions: 1, replicationFactor: 1))
        for round in 0..<20 {
            let producer = try Producer(config: cluster.config(["linger.ms": "5"]))
            let refused = Atomic<Int>(0)
            let producing = Task.detached {
                let deadline = ContinuousClock.now + .seconds(20)
                var i = 0
                while ContinuousClock.now < deadline {
                    i += 1
                    do {
                        try producer.produce(topic: "t", key: nil, value: Array("r\(i)".utf8), token: UInt64(i))
                    } catch {
                        #expect((error as? KafkaError)?.isClosedClient == true, "\(error)")
                        refused.add(1, ordering: .relaxed)
                        return
                    }
                }
            }
            try await Task.sleep(for: .milliseconds(Int.random(in: 0...50)))
            if round.isMultiple(of: 2) {
                await producer.kill()
            } else {
                await producer.close(flushTimeout: .seconds(1))
            }
            await producing.value
            #expect(producer.outstanding == 0)
            #expect(refused.load(ordering: .relaxed) == 1, "the producing task met the closed client")
            #expect(throws: KafkaError.self) { try producer.produce(topic: "t", key: nil, value: [1], token: 0) }
        }
        await cluster.shutdown()
    }
}
