import ArgumentParser
import Messages
import Gherkin
import Expressions
import Runtime
import Reporting
import KafkaClient
import Cluster

@main
struct KafkaBDD: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kafka-bdd",
        abstract: "Executable acceptance tests for Kafka, written in Gherkin.",
        version: "0.1.0 (librdkafka \(Librdkafka.version))",
        subcommands: [
            Run.self, Pickles.self, Format.self, Merge.self, StepsCommand.self, ClusterCommand.self,
            Bench.self,
            BackfillCommand.self, MetricsCommand.self, AdminCommand.self, MirrorCommand.self,
            StreamsCommand.self, LSPCommand.self,
        ]
    )

    /// Exit status 2 for every usage error, as documented (ArgumentParser's own is EX_USAGE, 64).
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asynchronous = command as? AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
        } catch {
            if exitCode(for: error) == .validationFailure {
                StandardOutput.error(fullMessage(for: error))
                exit(withError: ExitCode(2))
            }
            exit(withError: error)
        }
    }
}
