import ArgumentParser
import Foundation
import Messages
import Gherkin
import Expressions
import Runtime
import Reporting
import KafkaClient
import Cluster

/// `kafka-bdd format`: renders a saved message stream (ours or any Cucumber tool's).
struct Format: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Render a Cucumber Messages NDJSON stream from standard input as JUnit XML, HTML, Cucumber JSON or a rerun "
            + "list."
    )

    enum Kind: String, ExpressibleByArgument, CaseIterable { case junit, html, json, rerun }

    @Argument(help: "junit, html, json or rerun.")
    var kind: Kind

    @Option(help: "The HTML report's title.")
    var title = "KafkaBDD report"

    @Flag(help: "JUnit: a file attribute on each testcase (GitLab reads it; the Jenkins XSD forbids it).")
    var fileAttribute = false

    @Flag(help: "JUnit: exactly what cucumber's junit-xml-formatter writes (no undefined-step messages or snippets).")
    var reference = false

    func run() throws {
        var query = RunQuery()
        let input = FileHandle.standardInput.readDataToEndOfFile()
        var envelopes = 0
        do {
            try EnvelopeDecoder().decode(stream: input) {
                query.update($0); envelopes += 1
            }
        } catch let error as MessageStreamError {
            StandardOutput.error("kafka-bdd: standard input:\(error.line): not a message envelope: \(error.reason)")
            throw ExitCode(2)
        }
        // An empty report of an empty input would look like a run in which nothing failed.
        guard envelopes > 0 else {
            StandardOutput.error(
                "kafka-bdd: standard input holds no message envelope (pipe a run's --report message: file)")
            throw ExitCode(2)
        }
        let text: String =
            switch kind {
            case .junit: JUnitFormatter(reference: reference, fileAttribute: fileAttribute).render(query)
            case .html: HTMLFormatter(title: title, cardTags: .studyPlan).render(query)
            case .json: try CucumberJSONFormatter().render(query)
            case .rerun: RerunFormatter().render(query)
            }
        StandardOutput.write(text)
        // The process ends here; tearing down a large run's query first would only cost time
        // (0.1 s at 10,000 scenarios).
        Foundation.exit(0)
    }
}
