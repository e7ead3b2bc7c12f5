import Cluster
import Foundation
import KafkaClient
import Runtime
import Session
import Steps
import Testing
import Drills

extension WholeChapterRuns {
    @Suite("Every chapter on compose (fake docker)")
    struct EveryChapterOnComposeTests {
        /// Every chapter's scenarios in sequence on one shared compose cluster (over the fake): each starts on
        /// a healthy cluster, and the run leaves every broker up and no toxic behind.
        @Test func everyChapterInSequenceLeavesTheClusterAsItFoundIt() async throws {
            let fake = try FakeDocker()
            defer { fake.remove() }
            // The fake runs none of Kafka's tools: without them, election is the harness's and reassignment
            // skips (ComposeAdminContractTests checks the tools' commands).
            let (compose, mock) = try ComposeContractTests.cluster(fake, tools: [])
            var configuration = Session.Configuration()
            configuration.paths = [AcceptanceSuite.packageRoot.appendingPathComponent("Features").path]
            configuration.root = AcceptanceSuite.packageRoot.path
            let session = try Session(configuration)
            let environment = KafkaEnvironment(backend: .compose, shared: compose)
            let summary = try await session.run(support: Steps.supportCode(environment: environment))
            let unhealthy = summary.outcomes.filter { o in
                o.steps.contains { $0.result.message?.contains("not healthy at the start") == true }
            }
            #expect(unhealthy.isEmpty, "\(unhealthy.map(\.pickle.name))")
            let faults = fake.commands.filter { $0.contains(" kill ") || $0.contains("toxic add") }
            #expect(!faults.isEmpty, "the chapters made faults")
            #expect(fake.stopped.isEmpty, "brokers left stopped: \(fake.stopped)")
            #expect(fake.toxics.isEmpty, "toxics left: \(fake.toxics)")
            #expect(await compose.healthProblems(expecting: [1, 2, 3]).isEmpty)
            let failed = summary.outcomes.filter { $0.status == .failed }
            #expect(failed.isEmpty, "\(failed.map { "\($0.pickle.name): \($0.decisive?.result.message ?? "")" })")
            await mock.shutdown()
        }
    }
}
