@testable import Runtime
import Testing

/// docs/steps.md's domains are named after the files that define the steps.
@Suite("Step catalog headings")
struct StepCatalogTests {
    @Test(arguments: [
        ("Cluster", "Cluster"), ("ExactlyOnce", "Exactly once"), ("KeyedMessages", "Keyed messages"),
        ("ProducerAPI", "Producer API"), ("TLSCertificates", "TLS certificates"), ("Kaf12Ops", "Kaf12 ops"),
    ])
    func aTypeNameReadsAsAHeading(_ name: String, _ heading: String) {
        #expect(StepCatalog.domainName(name) == heading)
    }
}
