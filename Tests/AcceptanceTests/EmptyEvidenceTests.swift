import Foundation
import Gherkin
import Runtime
@testable import Steps
import Testing
import Drills

/// Empty evidence never passes: every Then sentence of the vocabulary, run as its documented example
/// right after a fresh cluster started — nothing produced, no topic created, no drill run — must fail
/// or skip. The few that may pass there claim something about the cluster as it is, and say what
/// evidence they had (listed below with the reason).
@Suite("Every Then step on empty evidence", .serialized)
struct EmptyEvidenceTests {
    /// Thens whose evidence does not come from the scenario: a cluster's current state, a document.
    static let passWithOwnEvidence: [String: String] = [
        "broker {int} is back in the cluster": "probes a running broker on the wire and finds it in the metadata",
        "the cluster has no topic {string}": "the cluster's topic list, read from a live broker, is the evidence",
    ]

    static var thens: [StepDefinition] {
        get throws {
            try Steps.supportCode(environment: KafkaEnvironment(backend: .embedded)).stepDefinitions
                .filter { $0.example?.hasPrefix("Then ") == true }
        }
    }

    @Test func theVocabularyHasThenSteps() throws {
        #expect(try Self.thens.count > 50)
    }

    @Test(arguments: try EmptyEvidenceTests.thens.map { $0.expression.source })
    func noThenPassesOnAnEmptyScenario(_ expression: String) async throws {
        guard let definition = try Self.thens.first(where: { $0.expression.source == expression }),
              let example = definition.example else { return }
        // Documents are read from the project: their evidence is the file, not the scenario.
        if example.contains("docs/") || example.contains(".md") { return }
        let env = try KafkaEnvironment(backend: .embedded, stepTimeout: .seconds(20))
        let source = "Feature: empty evidence\n  Scenario: nothing happened\n    Given a 3-broker cluster\n    "
            + example + "\n"
        let file = FeatureFile(uri: "empty.feature", source: source)
        let outcome = await Runner(support: Steps.supportCode(environment: env)) { _ in }.run([file]).outcomes[0]
        if outcome.status == .passed {
            #expect(Self.passWithOwnEvidence[expression] != nil,
                    "'\(example)' passed on a scenario in which nothing happened")
        }
    }
}
