import Foundation
import Drills
import Runtime
import KafkaClient
import Cluster
import Verification

/// Sentences about a card's written deliverables.
enum DocumentSteps {
    static func register(_ code: inout SupportCode, _ env: KafkaEnvironment) {
        code.then(
            "the document {string} has {int} use cases that each name producers, topics and partitions, and "
                + "consumers",
            doc: "Checks a Markdown brief: that many `## Use case` sections, each mentioning producers, topic, "
                + "partitions and consumers.",
            example: #"Then the document "docs/kaf-01/why-kafka.md" has 3 use cases that each name producers, "#
                + #"topics and partitions, and consumers"#
        ) { (ctx, path: String, expected: Int) in
            try DocumentChecks.useCases(in: try Self.read(path), path: path, expected: expected).enforce()
        }

        code.then(
            "the diagram {string} is a Mermaid flowchart from producers through topics to consumers",
            doc: "Checks a Mermaid source: a `flowchart` (or `graph`) with a `subgraph Producers` and a "
                + "`subgraph Consumers` (by id or title); every other node is a topic, and there is one. Every "
                + "edge is directed and runs producer → topic, topic → topic or topic → consumer: none from a "
                + "consumer or into a producer, none from a producer straight to a consumer, none undirected or "
                + "two-way. Every topic lies on a path from a producer to a consumer, every producer writes to "
                + "such a path and every consumer reads from one.",
            example: #"Then the diagram "docs/kaf-01/event-flow.mmd" is a Mermaid flowchart from producers "#
                + #"through topics to consumers"#
        ) { (ctx, path: String) in
            try DocumentChecks.mermaidFlowchart(try Self.read(path), path: path).enforce()
        }
        registerSections(&code)
    }

    static func registerSections(_ code: inout SupportCode) {
        code.then(
            "the document {string} has at least {int} sections that each mention:",
            doc: "Checks a Markdown document: at least that many `## ` sections, and every one of them mentions "
                + "each term of the one-column table (case-insensitive).",
            example: #"Then the document "docs/kaf-06/symptoms.md" has at least 8 sections that each mention:"#
        ) { (ctx, path: String, minimum: Int) in
            let terms = (ctx.dataTable ?? []).compactMap(\.first).filter { !$0.isEmpty }
            guard !terms.isEmpty else { throw StepFailure("the step needs a one-column table of terms") }
            try DocumentChecks.sections(in: try Self.read(path), path: path, minimum: minimum, mentioning: terms)
                .enforce()
        }

        code.then(
            "the document {string} has a section of at least {int} words for each of:",
            doc: "Checks a Markdown document: for each row of the one-column table, a `## ` section whose "
                + "heading "
                + "contains it (case-insensitive) with at least that many words.",
            example: #"Then the document "docs/kaf-11/hardening.md" has a section of at least 40 words for each "#
                + #"of:"#
        ) { (ctx, path: String, words: Int) in
            let headings = (ctx.dataTable ?? []).compactMap(\.first).filter { !$0.isEmpty }
            guard !headings.isEmpty else { throw StepFailure("the step needs a one-column table of headings") }
            try DocumentChecks.sections(in: try Self.read(path), path: path, headings: headings, words: words)
                .enforce()
        }
    }

    static func read(_ path: String) throws -> String {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw StepFailure("cannot read \(path) (paths are relative to the directory kafka-bdd runs in)")
        }
        return text
    }
}
