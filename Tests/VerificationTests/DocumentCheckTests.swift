import Testing
import Verification

/// The written deliverables' checkers on hand-written Markdown and Mermaid.
@Suite("Document checkers")
struct DocumentCheckTests {
    static let brief = """
        # Why Kafka

        ## Use case 1: orders
        Producers write orders to a topic with six partitions; consumers bill them.

        ## Use case 2: clicks
        Producers send clicks to a topic; its partitions are read by consumers.

        ## Not a use case
        """

    @Test func briefWithEveryUseCaseNamingEverythingPasses() {
        #expect(DocumentChecks.useCases(in: Self.brief, path: "b.md", expected: 2).holds)
    }

    @Test func briefWithTheWrongNumberOfUseCasesFails() {
        #expect(DocumentChecks.useCases(in: Self.brief, path: "b.md", expected: 3).problems
                    == ["b.md has 2 use case sections, expected 3"])
    }

    @Test func useCaseThatDoesNotNameConsumersFails() {
        let text = Self.brief.replacing("consumers bill them", with: "billing reads them")
        #expect(DocumentChecks.useCases(in: text, path: "b.md", expected: 2).problems
                    == [#"b.md: "Use case 1: orders" does not name consumer"#])
    }

    static let flow = """
        %% the event flow
        flowchart LR
          subgraph Producers
            shop
          end
          subgraph Consumers
            billing
          end
          shop --> orders[orders topic]
          orders --> billing
        """

    @Test func flowchartFromProducersThroughTopicsToConsumersPasses() {
        #expect(DocumentChecks.mermaidFlowchart(Self.flow, path: "f.mmd").holds)
    }

    @Test func flowchartWithAnEdgeMissingFails() {
        let text = Self.flow.replacing("orders --> billing", with: "")
        #expect(DocumentChecks.mermaidFlowchart(text, path: "f.mmd").problems == ["f.mmd has fewer than two edges"])
    }

    @Test func diagramThatIsNotAFlowchartOrLacksASubgraphFails() {
        #expect(DocumentChecks.mermaidFlowchart("sequenceDiagram\n  A->>B: hi\n", path: "f.mmd").problems
                    == [#"f.mmd is not a Mermaid flowchart (it starts with "sequenceDiagram")"#])
        let noConsumers = Self.flow.replacing("subgraph Consumers", with: "subgraph Readers")
        #expect(DocumentChecks.mermaidFlowchart(noConsumers, path: "f.mmd").problems
                    == ["f.mmd has no subgraph Consumers"])
    }
}
