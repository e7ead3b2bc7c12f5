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

@Suite("Then steps of KAF-03: negative controls", .serialized)
struct ProducerStepNegativeControlTests {
    let base = StepNegativeControlTests()

    static func breakers(_ code: inout SupportCode) {
        code.when("one delivery report carries an error") { ctx in
            ctx.world.update(ProducerState.Key.self) { s in
                s.deliveryReports.append(DeliveryReport(token: 1, partition: -1, offset: -1001, error: KafkaError(code: -192, detail: "Local: Message timed out"),
                                                        latencyMicroseconds: 0))
            }
        }
        code.when("the record of order 7 was changed in transit") { ctx in
            ctx.world.update(ProducerState.Key.self) { $0.sentValues[7] = #"{"id":7,"amount":1000000}"# }
        }
        code.when("record {string} on {string} was written with another schema") { ctx in
            let other = try AvroSchema(json: #"{"type":"record","name":"Order","namespace":"shop","fields":[{"name":"id","type":"string"}]}"#)
            let producer = try Producer(config: try ctx.cluster().config())
            defer { producer.close() }
            try await producer.send(topic: try ctx.topic(try ctx.string(1)), key: Array(try ctx.string(0).utf8),
                                    value: try other.encodeSingleObject(.record(["id": .string("x")])))
        }
        code.when("Avro record {string} was changed in transit") { ctx in
            let key = try ctx.string(0)
            ctx.world.update(AvroState.Key.self) { $0.sent[key] = .record(["id": .long(99), "customer": .string("someone else")]) }
        }
        code.when("Avro record {string} was sent but never written") { ctx in
            let key = try ctx.string(0)
            ctx.world.update(AvroState.Key.self) { $0.sent[key] = .record(["id": .long(3)]) }
        }
        code.when("a benchmark run lost messages") { ctx in
            ctx.world.update(ProducerState.Key.self) { $0.benchmarks = [("acks=1", 19_990, 10)] }
        }
    }

    func run(_ steps: String) async throws -> TestCaseOutcome {
        try await base.outcome("    Given a 3-broker cluster\n    And a topic \"orders\" with 3 partitions and replication factor 3\n" + steps, Self.breakers)
    }

    @Test func deliveryReportWithAnErrorFails() async throws {
        base.expectFailure(try await run("""
                When I send 20 JSON orders to "orders" asynchronously with a delivery callback
                And one delivery report carries an error
                Then the delivery callback reported every order acknowledged with its partition and offset
            """), mentioning: "21 reports for 20 orders")
    }

    @Test func changedJSONFails() async throws {
        base.expectFailure(try await run("""
                When I send 20 JSON orders to "orders" one at a time, waiting for each acknowledgement
                And the record of order 7 was changed in transit
                Then every order read back from "orders" is the JSON that was sent
            """), mentioning: "order 7 came back as")
    }

    static let avro = #"""
                Given the Avro schema:
                  """
                  {"type": "record", "name": "Order", "namespace": "shop", "fields": [{"name": "id", "type": "long"}, {"name": "customer", "type": "string"}]}
                  """
                When I send these records to "orders" as Avro single-object encoded values:
                  | id | customer |
                  | 1  | a        |
                  | 2  | b        |

        """#

    @Test func avroRecordOfAnotherSchemaFails() async throws {
        base.expectFailure(try await run(Self.avro + """
                And record "id=2" on "orders" was written with another schema
                Then every value read back from "orders" names the schema's fingerprint and decodes to the record sent
            """), mentioning: "id=2 names schema fingerprint")
    }

    @Test func changedAvroRecordFails() async throws {
        base.expectFailure(try await run(Self.avro + """
                And Avro record "id=1" was changed in transit
                Then every value read back from "orders" names the schema's fingerprint and decodes to the record sent
            """), mentioning: "id=1 decoded to")
    }

    @Test func missingAvroRecordFails() async throws {
        base.expectFailure(try await run(Self.avro + """
                And Avro record "id=3" was sent but never written
                Then every value read back from "orders" names the schema's fingerprint and decodes to the record sent
            """), mentioning: "1 records never read back: id=3")
    }

    @Test func reorderingStepFailsWhenEveryKeyKeptItsOrder() async throws {
        base.expectFailure(try await run("""
                When I produce 500 keyed messages to "orders" with these producer settings:
                  | acks               | all  |
                  | enable.idempotence | true |
                Then some key's messages are consumed out of the order they were sent
            """), mentioning: "no reordering to show")
    }

    @Test func benchmarkWithLossesFails() async throws {
        base.expectFailure(try await run("""
                When a benchmark run lost messages
                Then every configuration delivered all 20000 messages
            """), mentioning: "acks=1: 19990 delivered, 10 errors")
    }
}
