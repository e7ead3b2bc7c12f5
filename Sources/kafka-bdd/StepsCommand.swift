import ArgumentParser
import Foundation
import Messages
import Gherkin
import Expressions
import Runtime
import Reporting
import KafkaClient
import Cluster
import Steps
import Drills

/// `kafka-bdd steps`: the vocabulary feature files can use.
struct StepsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "steps",
        abstract:
            "List every step definition: expression, what it does, an example, where it is defined and how often "
            + "Features/ uses it."
    )

    enum Output: String, ExpressibleByArgument, CaseIterable { case text, markdown, json }

    @Option(help: "text, markdown or json.")
    var format: Output = .text

    @Option(help: "Feature files or folders whose steps are counted.")
    var features: [String] = ["Features"]

    func run() async throws {
        let environment = try KafkaEnvironment(backend: .embedded)
        StandardOutput.write(
            try StepCatalog.render(
                Steps.supportCode(environment: environment), features: features, format: format.rawValue))
    }
}
