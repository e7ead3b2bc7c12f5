import Foundation
@testable import Messages
@testable import Gherkin
@testable import Expressions
@testable import Runtime
@testable import Reporting
import Synchronization
import Testing
import TestSupport

/// cucumber/compatibility-kit: each sample's features run against Swift step definitions
/// equivalent to the kit's reference ones must give the reference message stream, once ids,
/// timestamps, durations, stack traces, exception types, source references of support code
/// and snippet languages are normalised.
@Suite("Compatibility kit (cucumber/compatibility-kit samples)")
struct CompatibilityKitTests {
    static let root = Paths.sharedFolder("conformance/cck")
    static let samples = [
        "minimal", "backgrounds", "data-tables", "doc-strings", "examples-tables", "rules", "rules-backgrounds",
        "undefined", "pending", "ambiguous", "skipped", "hooks", "hooks-conditional", "parameter-types",
        "unknown-parameter-type", "regular-expression", "cdata", "multiple-features", "empty",
    ]

    /// The normalised streams of a sample, reference first.
    static func streams(_ name: String, support: SupportCode) async throws -> (expected: [String], actual: [String]) {
        let dir = root!.appendingPathComponent(name)
        let featureNames = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".feature") }.sorted()
        let ids = IdGenerator()
        let files = try featureNames.map {
            FeatureFile(uri: "samples/\(name)/\($0)", source: try String(contentsOf: dir.appendingPathComponent($0), encoding: .utf8), ids: ids)
        }
        let collected = Mutex<[String]>([])
        let runner = Runner(support: support, ids: ids) { envelope in collected.withLock { $0.append(envelope.ndjsonLine) } }
        _ = await runner.run(files)
        let expected = try JSONLines.parse(String(contentsOf: dir.appendingPathComponent("\(name).ndjson"), encoding: .utf8))
        let actual = try JSONLines.parse(collected.withLock { $0.joined() })
        return (CCKNormalizer.normalize(expected), CCKNormalizer.normalize(actual))
    }

    @Test("negative control: a different outcome is a different stream", .enabled(if: root != nil, Comment(rawValue: Paths.missingShared)))
    func negativeControl() async throws {
        var failing = SupportCode()
        failing.given("I have {int} cukes in my belly") { _ in throw StepFailure("broken") }
        let (expected, actual) = try await Self.streams("minimal", support: failing)
        #expect(expected.count == actual.count)
        #expect(expected != actual)
        let (e2, a2) = try await Self.streams("minimal", support: SupportCode())
        #expect(e2 != a2, "an undefined step must not look like the reference's passing one")
    }

    @Test("sample gives the reference message stream", .enabled(if: root != nil, Comment(rawValue: Paths.missingShared)),
          arguments: samples)
    func sample(_ name: String) async throws {
        let (e, a) = try await Self.streams(name, support: ReferenceSteps.support(for: name))
        #expect(e.count > 3)
        #expect(e.count == a.count, "envelope count")
        for (i, (x, y)) in zip(e, a).enumerated() where x != y {
            Issue.record("envelope \(i) differs:\nexpected \(x)\nactual   \(y)")
            break
        }
    }
}

/// Canonical text of each envelope: sorted keys, ids renumbered by first appearance, volatile
/// fields removed.
enum CCKNormalizer {
    static func normalize(_ envelopes: [Any]) -> [String] {
        var ids: [String: String] = [:]
        func id(_ s: String) -> String {
            if let n = ids[s] { return n }
            ids[s] = "#\(ids.count)"
            return ids[s]!
        }
        func isIdKey(_ k: String) -> Bool { k == "id" || k.hasSuffix("Id") }
        func isIdsKey(_ k: String) -> Bool { k.hasSuffix("Ids") }
        func walk(_ v: Any, key: String?) -> Any {
            if let d = v as? [String: Any] {
                var out: [String: Any] = [:]
                for k in d.keys.sorted() {
                    switch k {
                    case "timestamp", "duration", "stackTrace", "sourceReference", "meta": continue
                    default: break
                    }
                    out[k] = walk(d[k]!, key: k)
                }
                if let exception = out["exception"] as? [String: Any] {
                    var e = exception
                    e.removeValue(forKey: "type")
                    out["exception"] = e
                }
                // We add the list of matching definitions to an ambiguous step; the reference does not.
                if out["status"] as? String == "AMBIGUOUS" { out.removeValue(forKey: "message") }
                // Snippets are in each implementation's language: compare the suggested expressions.
                if key == "snippets" || out["language"] != nil, let code = out["code"] as? String {
                    out = ["expression": code.split(separator: "\"", maxSplits: 2).dropFirst().first.map(String.init) ?? code]
                }
                return out
            }
            if let a = v as? [Any] {
                if let key, isIdsKey(key) { return a.map { ($0 as? String).map(id) ?? $0 } }
                return a.map { walk($0, key: key) }
            }
            if let s = v as? String, let key, isIdKey(key) { return id(s) }
            return v
        }
        return envelopes.compactMap { envelope -> String? in
            guard let d = envelope as? [String: Any], d["meta"] == nil else { return nil }
            let normalized = walk(d, key: nil)
            let data = try! JSONSerialization.data(withJSONObject: normalized, options: [.sortedKeys])
            return String(decoding: data, as: UTF8.self)
        }
    }
}

/// Swift equivalents of the kit's reference step definitions (devkit/samples/*/*.ts).
enum ReferenceSteps {
    enum Count: WorldKey { static var defaultValue: Int { 0 } }
    enum Friends: WorldKey { static var defaultValue: Int { 0 } }
    enum Money: WorldKey { static var defaultValue: Int { 0 } }
    enum Stock: WorldKey { static var defaultValue: [String] { [] } }
    enum Chocolate: WorldKey { static var defaultValue: String? { nil } }
    enum Transposed: WorldKey { static var defaultValue: [[String]] { [] } }

    /// node's `assert.strictEqual` message, which the reference stream records.
    static func strictEqual<T: Equatable>(_ actual: T, _ expected: T) throws {
        if actual != expected { throw StepFailure("Expected values to be strictly equal:\n\n\(actual) !== \(expected)\n") }
    }

    struct Flight: Sendable { let from: String, to: String }

    static func support(for sample: String) -> SupportCode {
        var s = SupportCode()
        let noop: StepBody = { _ in }
        switch sample {
        case "minimal":
            s.given("I have {int} cukes in my belly", noop)
        case "cdata":
            s.given("I have {int} <![CDATA[cukes]]> in my belly", noop)
        case "backgrounds", "rules-backgrounds":
            s.given("an order for {string}", noop)
            s.when("an action", noop)
            s.then("an outcome", noop)
        case "multiple-features":
            s.given("an order for {string}", noop)
        case "data-tables":
            s.when("the following table is transposed:") { ctx in
                let rows = ctx.dataTable ?? []
                let transposed = (0..<(rows.first?.count ?? 0)).map { c in rows.map { $0[c] } }
                ctx.world[Transposed.self] = transposed
            }
            s.then("it should be:") { ctx in
                guard ctx.world[Transposed.self] == ctx.dataTable ?? [] else { throw StepFailure("tables differ") }
            }
        case "doc-strings":
            s.given("a doc string:", noop)
        case "examples-tables":
            s.given("there are {int} cucumbers") { ctx in ctx.world[Count.self] = try ctx.int(0) }
            s.given("there are {int} friends") { ctx in ctx.world[Friends.self] = try ctx.int(0) }
            s.when("I eat {int} cucumbers") { ctx in
                let n = try ctx.int(0)
                ctx.world.update(Count.self) { $0 -= n }
            }
            s.then("I should have {int} cucumbers") { ctx in try strictEqual(ctx.world[Count.self], try ctx.int(0)) }
            s.then("each person can eat {int} cucumbers") { ctx in
                let share = Int((Double(ctx.world[Count.self]) / Double(1 + ctx.world[Friends.self])).rounded(.down))
                try strictEqual(share, try ctx.int(0))
            }
        case "rules":
            s.given("the customer has {int} cents") { ctx in ctx.world[Money.self] = try ctx.int(0) }
            s.given("there are chocolate bars in stock") { ctx in ctx.world[Stock.self] = ["Mars"] }
            s.given("there are no chocolate bars in stock") { ctx in ctx.world[Stock.self] = [] }
            s.when("the customer tries to buy a {int} cent chocolate bar") { ctx in
                if ctx.world[Money.self] >= (try ctx.int(0)) {
                    let bar = ctx.world.update(Stock.self) { $0.popLast() }
                    ctx.world[Chocolate.self] = bar
                }
            }
            s.then("the sale should not happen") { ctx in
                guard ctx.world[Chocolate.self] == nil else { throw StepFailure("a sale happened") }
            }
            s.then("the sale should happen") { ctx in
                guard ctx.world[Chocolate.self] != nil else { throw StepFailure("no sale happened") }
            }
        case "undefined":
            s.given("an implemented step", noop)
            s.given("a step that will be skipped", noop)
        case "pending":
            s.given("an implemented non-pending step", noop)
            s.given("an implemented step that is skipped", noop)
            s.given("an unimplemented pending step") { _ in throw StepPending() }
        case "ambiguous":
            s.regex("^a (.*?) with (.*?)$", noop)
            s.regex("^a step with (.*?)$", noop)
        case "skipped":
            s.given("a step that does not skip", noop)
            s.given("a step that is skipped", noop)
            s.given("I skip a step") { _ in throw StepSkipped() }
        case "hooks":
            s.before(noop)
            s.when("a step passes", noop)
            s.when("a step fails") { _ in throw StepFailure("Exception in step") }
            s.after(noop)
        case "hooks-conditional":
            s.before(tags: "@passing-hook", noop)
            s.before(tags: "@fail-before") { _ in throw StepFailure("Exception in conditional hook") }
            s.when("a step passes", noop)
            s.after(tags: "@fail-after") { _ in throw StepFailure("Exception in conditional hook") }
            s.after(tags: "@passing-hook", noop)
        case "parameter-types":
            s.parameterType("flight", regexps: ["([A-Z]{3})-([A-Z]{3})"], typeName: "Flight") { groups in
                Flight(from: groups[0] ?? "", to: groups[1] ?? "")
            }
            s.given("{flight} has been delayed") { ctx in
                let flight: Flight = try ctx.argument(0)
                try strictEqual(flight.from, "LHR")
                try strictEqual(flight.to, "CDG")
            }
        case "unknown-parameter-type":
            s.given("{airport} is closed because of a strike") { _ in
                throw StepFailure("Should not be called because airport parameter type has not been defined")
            }
        case "regular-expression":
            s.regex("^a (.*?)(?: and a (.*?))?(?: and a (.*?))?$", noop)
        default:
            break
        }
        return s
    }
}
