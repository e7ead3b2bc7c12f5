import Foundation
import Testing

/// The HTML report as a CI gate reads it: one headline that agrees with the readiness matrix, and the
/// scenario's own steps without the passed After hooks of every domain.
@Suite("HTML headline and hooks")
struct HTMLHeadlineTests {
    @Test(CLITests.enabled) func aPassingRunWithSkippedCriteriaSaysSoAndHidesPassedHooks() async throws {
        let path = try CLITests.fixture(RerunAndVerifiedTests.feature)
        let html = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("i.html")
        let r = try await CLITests.run(["run", "\(path):2:7", "--report", "html:\(html.path)"])
        #expect(r.status == 0, "\(r.err)")
        let text = try String(contentsOf: html, encoding: .utf8)
        #expect(text.contains("Run passed — 1 of 2 criteria not verified here"), "the headline names the skipped one")
        #expect(!text.contains("stop the scenario&#39;s cluster") && !text.contains("stop the scenario's cluster"),
                "a passed After hook without output is not listed")
    }
}
