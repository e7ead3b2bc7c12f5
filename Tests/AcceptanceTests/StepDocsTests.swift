import Foundation
import Messages
import Gherkin
import Runtime
import Reporting
import KafkaClient
import Cluster
import Verification
import Steps
import Testing
import Drills

/// docs/steps.md is what users write feature files from: it must list the vocabulary as it is.
@Suite("Step documentation")
struct StepDocsTests {
    @Test("docs/steps.md is current (regenerate: kafka-bdd steps --format markdown > docs/steps.md)")
    func stepsMarkdownIsCurrent() throws {
        let root = AcceptanceSuite.packageRoot
        let committed = try String(contentsOf: root.appendingPathComponent("docs/steps.md"), encoding: .utf8)
        let current = try StepCatalog.render(Steps.supportCode(environment: try KafkaEnvironment(backend: .embedded)),
                                             features: [root.appendingPathComponent("Features").path], format: "markdown")
        #expect(committed == current)
    }

    @Test("docs/steps.md is grouped by domain, with each parameter's values and the backend a step needs")
    func stepsMarkdownIsGrouped() throws {
        let support = Steps.supportCode(environment: try KafkaEnvironment(backend: .embedded))
        let features = AcceptanceSuite.packageRoot.appendingPathComponent("Features").path
        let markdown = try StepCatalog.render(support, features: [features], format: "markdown")
        #expect(markdown.contains("\n## Cluster\n") && markdown.contains("\n## Keyed messages\n"))
        #expect(markdown.contains("\n## Producer API\n"))
        #expect(markdown.contains("`{acks}`: one of `0`, `1`, `all`, `-1`"))
        #expect(markdown.contains("`{word}`: one word; the examples and Features/ use `aborted`, `committed`"))
        let injection = "| `When the next 5 produce requests fail with NOT_LEADER_FOR_PARTITION` | embedded |"
        #expect(markdown.contains(injection))
    }

    @Test func everyStepHasADocAndAnExampleThatItMatches() throws {
        let support = Steps.supportCode(environment: try KafkaEnvironment(backend: .embedded))
        #expect(support.problems.isEmpty, "\(support.problems)")
        for d in support.stepDefinitions {
            #expect(!(d.doc ?? "").isEmpty, "\(d.expression.source) has no doc")
            let example = d.example ?? ""
            let text = ["Given ", "When ", "Then ", "And "].reduce(example) { t, k in t.hasPrefix(k) ? String(t.dropFirst(k.count)) : t }
            #expect(d.expression.match(text) != nil, "example '\(example)' does not match \(d.expression.source)")
            #expect(support.matches(text).count == 1, "example '\(example)' is ambiguous")
        }
    }
}
