import ArgumentParser
import Foundation
import Messages
import Gherkin
import Expressions
import Runtime
import Reporting
import KafkaClient
import Cluster
import Verification

/// `kafka-bdd format`: renders a saved message stream (ours or any Cucumber tool's).
struct Format: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Render a Cucumber Messages NDJSON stream from standard input as JUnit XML, HTML, Cucumber JSON or a rerun list."
    )

    enum Kind: String, ExpressibleByArgument, CaseIterable { case junit, html, json, rerun }

    @Argument(help: "junit, html, json or rerun.")
    var kind: Kind

    func run() throws {
        let query = MessageQuery()
        var number = 0
        while let line = readLine(strippingNewline: true) {
            number += 1
            do { try query.update(ndjson: Substring(line)) } catch {
                StandardOutput.error("kafka-bdd: standard input:\(number): not a JSON message envelope")
                throw ExitCode(2)
            }
        }
        let text: String = switch kind {
        case .junit: JUnitFormatter().render(query)
        case .html: HTMLFormatter().render(query)
        case .json: try CucumberJSONFormatter().render(query)
        case .rerun: RerunFormatter().render(query)
        }
        StandardOutput.write(text)
    }
}
