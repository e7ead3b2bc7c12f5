import Cluster
import Foundation
import Gherkin
import Messages
import Runtime
@testable import Steps
import Testing
import Drills

extension WholeChapterRuns {
    /// Every chapter scenario that applies a fault, run on a cluster where that fault is a no-op
    /// reported as done: each must fail or skip, never pass. A drill that passes here would pass with
    /// the fault switched off.
    @Suite("Chapter drills against lying clusters", .serialized)
    struct LyingClusterDrillTests {
        /// The sentences that apply each fault to the cluster (docs/steps.md). A stream processor or a
        /// connector "killed" or "restarted" is not a cluster fault, so kills and restarts name a broker.
        nonisolated(unsafe) static let faultSteps: [(LyingCluster.Lie, Regex<Substring>)] = [
            (.kill, #/(?:broker \d+|leader of partition \d+|replica of partition \d+ of "[^"]*") is killed/#),
            (.kill, #/every broker of cluster "[^"]*" is killed/#),
            (.stop, #/stops each broker gracefully/#),
            (.restart, #/broker \d+ is restarted/#),
            (.latency, #/is slowed by/#),
            (.errorInjection, #/requests fail with/#),
            (.delayedResponses, #/answered only after/#),
        ]

        struct Drill: Sendable, CustomTestStringConvertible {
            let lie: LyingCluster.Lie
            let file: FeatureFile
            let pickle: Pickle
            var testDescription: String { "\(lie.rawValue) lies · \(pickle.name) (\(pickle.uri):\(pickle.location.line))" }
            var key: String { "\(lie.rawValue)#\(pickle.id)" }
        }

        static let drills: [Drill] = {
            let root = AcceptanceSuite.packageRoot
            let paths = (try? FeatureFile.discover([root.appendingPathComponent("Features").path])) ?? []
            var out: [Drill] = []
            // An outline's rows share its steps' fault confirmation: the first row of each lie stands for them
            // (the KAF-07 table's 12 faulted rows would cost 10 s each for the same check).
            var seen = Set<String>()
            for path in paths {
                guard let file = try? FeatureFile.load(path: path) else { continue }
                for pickle in file.pickles {
                    for (lie, text) in faultSteps where pickle.steps.contains(where: { $0.text.contains(text) }) {
                        let outline = "\(pickle.uri)#\(pickle.astNodeIds.first ?? pickle.id)#\(lie.rawValue)"
                        guard pickle.astNodeIds.count < 2 || seen.insert(outline).inserted else { continue }
                        out.append(Drill(lie: lie, file: file, pickle: pickle))
                    }
                }
            }
            return out
        }()

        /// One drill on its own lying embedded cluster.
        static func outcome(of drill: Drill) async -> TestCaseOutcome? {
            let environment = KafkaEnvironment(factory: { brokers in
                LyingCluster(try EmbeddedCluster(brokers: brokers), lying: [drill.lie])
            })
            let pickleId = drill.pickle.id
            var options = RunOptions()
            options.pickleFilter = { $0.id == pickleId }
            options.stepTimeout = .seconds(90)
            let summary = await Runner(support: Steps.supportCode(environment: environment), options: options) { _ in }
                .run([drill.file])
            return summary.outcomes.first
        }

        /// Every drill, three at a time, started by the first case to ask: most of a lying drill's time is a
        /// deadline running out (a broker that never falls silent), and a busy machine can only make a drill
        /// fail or skip, which is what each case expects — so they need not take turns (187 s one by one).
        static let all = Task { () -> [String: TestCaseOutcome] in
            await withTaskGroup(of: (String, TestCaseOutcome?).self) { group in
                var pending = drills[...], results: [String: TestCaseOutcome] = [:]
                func next() {
                    guard let drill = pending.popFirst() else { return }
                    group.addTask { (drill.key, await outcome(of: drill)) }
                }
                for _ in 0..<3 { next() }
                for await (key, outcome) in group {
                    results[key] = outcome
                    next()
                }
                return results
            }
        }

        @Test("a drill whose fault did nothing never passes", arguments: drills)
        func neverPasses(_ drill: Drill) async throws {
            let outcome = try #require(await Self.all.value[drill.key])
            #expect(outcome.status != .passed,
                    "passed although its \(drill.lie.rawValue) did nothing: \(outcome.steps.map(\.text))")
        }

        @Test func everyFaultSentenceIsExercisedByAChapter() {
            let lies = Set(Self.drills.map(\.lie))
            #expect(lies.contains(.kill) && lies.contains(.latency) && lies.contains(.errorInjection))
        }
    }
}
