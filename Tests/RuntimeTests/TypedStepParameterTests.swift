import Foundation
import Messages
import Gherkin
@testable import Runtime
import Synchronization
import Testing
import TestSupport

/// A sentence's body takes the expression's arguments as typed parameters, checked when it is
/// registered: a wrong type or count is a problem of the definition (the run stops before any
/// scenario, naming the line), never a failure of whichever step first uses it.
@Suite("Typed step parameters")
struct TypedStepParameterTests {
    final class Seen: Sendable {
        let values = Mutex<[String]>([])
        func add(_ value: String) { values.withLock { $0.append(value) } }
    }

    static func run(_ feature: String, _ support: SupportCode) async -> RunSummary {
        let ids = IdGenerator()
        let file = FeatureFile(uri: "typed.feature", source: feature, ids: ids)
        return await Runner(support: support, options: RunOptions(), ids: ids, emit: { _ in }).run([file])
    }

    static let seen = Seen()
    static func reads(_ ctx: StepContext, group: String, count: Int) async throws {
        seen.add("\(group):\(count)")
    }

    @Test func theArgumentsArriveAsTypedParametersInOrder() async {
        let seen = Seen()
        var support = SupportCode()
        support.when("group {string} reads {int} records at {float} per second") { (_, group: String, n: Int, rate: Float) in
            seen.add("\(group) \(n) \(rate)")
        }
        support.then("nothing is typed") { _ in seen.add("plain") }
        #expect(support.problems.isEmpty, "\(support.problems)")
        let summary = await Self.run("""
            Feature: F
              Scenario: S
                When group "billing" reads 600 records at 2.5 per second
                Then nothing is typed
            """, support)
        #expect(summary.success)
        #expect(seen.values.withLock { $0 } == ["billing 600 2.5", "plain"])
    }

    @Test func aNamedFunctionIsOneLineOfTheTable() async {
        var support = SupportCode()
        support.when("group {string} reads {int} records", Self.reads)
        #expect(support.problems.isEmpty, "\(support.problems)")
        let summary = await Self.run("Feature: F\n  Scenario: S\n    When group \"audit\" reads 7 records\n", support)
        #expect(summary.success)
        #expect(Self.seen.values.withLock { $0 }.contains("audit:7"))
    }

    @Test func parametersInTheWrongOrderAreAProblemOfTheDefinition() {
        var support = SupportCode()
        let line = #line + 1
        support.when("group {string} reads {int} records") { (_, n: Int, group: String) in _ = (n, group) }
        #expect(support.problems == ["RuntimeTests/TypedStepParameterTests.swift:\(line): the step function takes "
            + "(Int, String) but the expression's parameters {string} {int} give (String, Int)"])
    }

    @Test func aMissingOrExtraParameterIsAProblemOfTheDefinition() {
        var support = SupportCode()
        support.when("group {string} reads {int} records") { (_, group: String) in _ = group }
        support.then("nothing to read") { (_, n: Int) in _ = n }
        #expect(support.problems.count == 2)
        #expect(support.problems.first?.hasSuffix("takes (String) but the expression's parameters {string} {int} "
            + "give (String, Int)") == true, "\(support.problems)")
        #expect(support.problems.last?.hasSuffix("takes (Int) but the expression's parameters (none) give ()") == true,
                "\(support.problems)")
    }

    @Test func aCustomTypeIsCheckedByItsDeclaredTypeName() {
        var support = SupportCode()
        support.parameterType("brokers", regexps: [#"\d+(?:, \d+)*"#], typeName: "[Int32]") { groups in
            (groups.first ?? nil)?.split(separator: ",").compactMap { Int32($0.trimmingCharacters(in: .whitespaces)) }
        }
        support.when("brokers {brokers} die") { (_, brokers: [Int32]) in _ = brokers }
        support.when("brokers {brokers} come back") { (_, brokers: [Int]) in _ = brokers }
        #expect(support.problems.count == 1)
        #expect(support.problems.first?.contains("takes (Array<Int>) but the expression's parameters {brokers} give "
            + "(Array<Int32>)") == true, "\(support.problems)")
    }

    /// The vocabulary reads no argument by position: each sentence's parameters are typed and checked.
    @Test func noStepOfTheVocabularyReadsAnArgumentByPosition() throws {
        let folder = Paths.packageRoot.appendingPathComponent("Sources/Steps")
        var positional: [String] = []
        for file in try FileManager.default.contentsOfDirectory(atPath: folder.path) where file.hasSuffix(".swift") {
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
            where line.contains(/ctx\.(string|int|double|argument|text)\(/) {
                positional.append("\(file):\(n + 1)")
            }
        }
        #expect(positional.isEmpty, "positional argument reads: \(positional)")
    }
}
