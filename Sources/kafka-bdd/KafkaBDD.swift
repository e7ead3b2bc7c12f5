import ArgumentParser
import Messages
import Gherkin
import Expressions
import Runtime
import Reporting
import KafkaClient
import Cluster
import Verification

@main
struct KafkaBDD: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kafka-bdd",
        abstract: "Executable acceptance tests for Kafka, written in Gherkin.",
        version: "0.1.0 (librdkafka \(Librdkafka.version))",
        subcommands: [Run.self, Pickles.self, Format.self, StepsCommand.self, ClusterCommand.self, Bench.self, BackfillCommand.self, MetricsCommand.self]
    )
}
