import Foundation
import Messages
import Gherkin
import Runtime
import Reporting
import KafkaClient
import Cluster
import Drills
import Verification
@testable import Steps
import Testing

@Suite("Then steps of KAF-01: negative controls", .serialized)
struct GroupStepNegativeControlTests {
    let base = StepNegativeControlTests()

    static func breakers(_ code: inout SupportCode) {
        code.when("the ledger says key-0 also went to partition 99") { ctx in
            ctx.ledger.sent(900_001, key: "key-0")
            ctx.ledger.acknowledged(900_001, partition: 99, offset: 0)
        }
        code.when("the ledger says key-new went to partition 99") { ctx in
            ctx.ledger.sent(900_002, key: "key-new")
            ctx.ledger.acknowledged(900_002, partition: 99, offset: 0)
        }
        code.when("two records land in partition 0 in the opposite order of their sending") { ctx in
            let topic = try ctx.topic("t")
            ctx.ledger.sent(900_011, key: "k")
            ctx.ledger.sent(900_010, key: "k")
            let producer = try Producer(config: try ctx.cluster().config())
            defer { producer.close() }
            for id in [UInt64(900_010), 900_011] {
                let r = try await producer.send(topic: topic, partition: 0, key: Array("k".utf8), value: Payload.make(id: id))
                ctx.ledger.acknowledged(id, partition: r.partition, offset: r.offset)
            }
        }
        code.when("an acknowledged message never reached the topic") { ctx in
            ctx.ledger.sent(900_020, key: "key-1")
            ctx.ledger.acknowledged(900_020, partition: 0, offset: 1_000_000)
        }
        code.when("group {string} has two consumers on partition 0 and none on partition 1") { ctx in
            let group = try ctx.string(0)
            ctx.world.update(GroupState.Key.self) { $0.assignments[group] = [[0, 2], [0, 3, 4, 5]] }
        }
    }

    func run(_ steps: String) async throws -> TestCaseOutcome {
        try await base.outcome("    Given a 3-broker cluster\n    And a topic \"t\" with 6 partitions and replication factor 3\n" + steps, Self.breakers)
    }

    @Test func keyInTwoPartitionsFails() async throws {
        base.expectFailure(try await run("""
                When I produce 100 messages with 5 distinct keys to "t"
                And the ledger says key-0 also went to partition 99
                Then each key's messages are all in one partition
            """), mentioning: "keys in more than one partition: key-0")
    }

    @Test func keyMovingPartitionFails() async throws {
        base.expectFailure(try await run("""
                When the ledger says key-new went to partition 99
                Then a new producer sends each key to the same partition again
            """), mentioning: "key-new: 99 then")
    }

    @Test func outOfOrderPartitionFails() async throws {
        base.expectFailure(try await run("""
                When two records land in partition 0 in the opposite order of their sending
                Then every partition holds its messages in the order they were sent
            """), mentioning: "out of send order")
    }

    @Test func groupMissingAMessageFails() async throws {
        base.expectFailure(try await run("""
                When I produce 50 messages with 5 distinct keys to "t"
                And an acknowledged message never reached the topic
                And consumer group "g" reads "t" to the end
                Then consumer group "g" received every acknowledged message
            """), mentioning: "missed 1 of 51")
    }

    @Test func overlappingAssignmentFails() async throws {
        base.expectFailure(try await run("""
                When group "g" has two consumers on partition 0 and none on partition 1
                Then the consumers of group "g" split the partitions of "t" with none shared
            """), mentioning: "partitions assigned twice: [0]; partitions nobody reads: [1]")
    }

    @Test func briefWithoutConsumersFails() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("brief-\(UUID().uuidString).md").path
        try Data("# Brief\n\n## Use case 1: A\nproducers topic partitions consumers\n\n## Use case 2: B\nproducers write to a topic with partitions\n".utf8)
            .write(to: URL(fileURLWithPath: path))
        base.expectFailure(try await base.outcome("""
                Then the document "\(path)" has 2 use cases that each name producers, topics and partitions, and consumers
            """), mentioning: "does not name consumer")
        base.expectFailure(try await base.outcome("""
                Then the document "\(path)" has 3 use cases that each name producers, topics and partitions, and consumers
            """), mentioning: "has 2 use case sections, expected 3")
    }

    @Test func diagramThatIsNotAFlowchartFails() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("flow-\(UUID().uuidString).mmd").path
        try Data("sequenceDiagram\n  A->>B: hi\n".utf8).write(to: URL(fileURLWithPath: path))
        base.expectFailure(try await base.outcome("""
                Then the diagram "\(path)" is a Mermaid flowchart from producers through topics to consumers
            """), mentioning: "is not a Mermaid flowchart")
    }
}
