import Messages
import Foundation

/// A read model over a Cucumber Messages stream — ours or any other tool's — that reports are
/// built from. Envelopes are kept as decoded JSON objects, so any stream that follows the schema
/// can be reported on.
public final class MessageQuery {
    public typealias Object = [String: Any]

    public private(set) var meta: Object?
    public private(set) var testRunStarted: Object?
    public private(set) var testRunFinished: Object?
    public private(set) var documents: [Object] = []
    public private(set) var pickles: [Object] = []
    public private(set) var parseErrors: [Object] = []
    public private(set) var stepDefinitions: [String: Object] = [:]
    public private(set) var hooks: [String: Object] = [:]
    public private(set) var testRunHookFinished: [Object] = []
    private var pickleById: [String: Object] = [:]
    private var pickleStepById: [String: Object] = [:]
    private var testCaseById: [String: Object] = [:]
    private var testStepById: [String: Object] = [:]
    private var testCaseStartedById: [String: Object] = [:]
    private var testCaseStartedOrder: [String] = []
    private var testCaseFinishedByStartedId: [String: Object] = [:]
    private var stepFinishedByStartedId: [String: [Object]] = [:]
    private var attachmentsByStep: [String: [Object]] = [:] // "caseStartedId/testStepId"
    private var suggestionsByPickleStep: [String: [Object]] = [:]
    /// AST nodes by id: steps, scenarios, rules, examples rows, backgrounds, feature lineage.
    private var astById: [String: Object] = [:]
    private var lineageById: [String: Lineage] = [:]

    public init() {}

    /// Where a pickle came from in its feature file.
    public struct Lineage {
        public var document: Object?
        public var feature: Object?
        public var rule: Object?
        public var scenario: Object?
        public var examples: Object?
        public var examplesIndex: Int?
        public var example: Object?
        public var exampleIndex: Int?
    }

    public func update(_ envelope: Object) {
        if let m = envelope["meta"] as? Object { meta = m }
        if let d = envelope["gherkinDocument"] as? Object { index(document: d) }
        if let p = envelope["pickle"] as? Object, let id = p["id"] as? String {
            pickles.append(p)
            pickleById[id] = p
            for s in p["steps"] as? [Object] ?? [] { if let sid = s["id"] as? String { pickleStepById[sid] = s } }
        }
        if let e = envelope["parseError"] as? Object { parseErrors.append(e) }
        if let s = envelope["stepDefinition"] as? Object, let id = s["id"] as? String { stepDefinitions[id] = s }
        if let h = envelope["hook"] as? Object, let id = h["id"] as? String { hooks[id] = h }
        if let t = envelope["testRunStarted"] as? Object { testRunStarted = t }
        if let t = envelope["testRunFinished"] as? Object { testRunFinished = t }
        if let t = envelope["testRunHookFinished"] as? Object { testRunHookFinished.append(t) }
        if let t = envelope["testCase"] as? Object, let id = t["id"] as? String {
            testCaseById[id] = t
            for s in t["testSteps"] as? [Object] ?? [] { if let sid = s["id"] as? String { testStepById[sid] = s } }
        }
        if let t = envelope["testCaseStarted"] as? Object, let id = t["id"] as? String {
            if testCaseStartedById[id] == nil { testCaseStartedOrder.append(id) }
            testCaseStartedById[id] = t
        }
        if let t = envelope["testCaseFinished"] as? Object, let id = t["testCaseStartedId"] as? String { testCaseFinishedByStartedId[id] = t }
        if let t = envelope["testStepFinished"] as? Object, let id = t["testCaseStartedId"] as? String {
            stepFinishedByStartedId[id, default: []].append(t)
        }
        if let a = envelope["attachment"] as? Object {
            let key = "\(a["testCaseStartedId"] as? String ?? "")/\(a["testStepId"] as? String ?? "")"
            attachmentsByStep[key, default: []].append(a)
        }
        if let s = envelope["suggestion"] as? Object, let id = s["pickleStepId"] as? String { suggestionsByPickleStep[id, default: []].append(s) }
    }

    public func update(ndjson line: Substring) throws {
        guard !line.allSatisfy(\.isWhitespace) else { return }
        guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? Object else {
            throw CocoaError(.coderReadCorrupt)
        }
        update(object)
    }

    private func index(document: Object) {
        documents.append(document)
        guard let feature = document["feature"] as? Object else { return }
        let base = Lineage(document: document, feature: feature)
        func scenario(_ s: Object, _ lineage: Lineage) {
            var l = lineage
            l.scenario = s
            if let id = s["id"] as? String { astById[id] = s; lineageById[id] = l }
            for step in s["steps"] as? [Object] ?? [] { if let id = step["id"] as? String { astById[id] = step } }
            for (i, examples) in (s["examples"] as? [Object] ?? []).enumerated() {
                for (j, row) in (examples["tableBody"] as? [Object] ?? []).enumerated() {
                    var rl = l
                    rl.examples = examples
                    rl.examplesIndex = i
                    rl.example = row
                    rl.exampleIndex = j
                    if let id = row["id"] as? String { astById[id] = row; lineageById[id] = rl }
                }
            }
        }
        func background(_ b: Object) {
            for step in b["steps"] as? [Object] ?? [] { if let id = step["id"] as? String { astById[id] = step } }
        }
        for child in feature["children"] as? [Object] ?? [] {
            if let b = child["background"] as? Object { background(b) }
            if let s = child["scenario"] as? Object { scenario(s, base) }
            if let r = child["rule"] as? Object {
                var rl = base
                rl.rule = r
                for rc in r["children"] as? [Object] ?? [] {
                    if let b = rc["background"] as? Object { background(b) }
                    if let s = rc["scenario"] as? Object { scenario(s, rl) }
                }
            }
        }
    }

    // MARK: Queries

    public func pickle(id: String) -> Object? { pickleById[id] }
    public func pickleStep(id: String) -> Object? { pickleStepById[id] }
    public func testCase(id: String) -> Object? { testCaseById[id] }
    public func testStep(id: String) -> Object? { testStepById[id] }
    public func astNode(id: String) -> Object? { astById[id] }
    public func suggestions(pickleStepId: String) -> [Object] { suggestionsByPickleStep[pickleStepId] ?? [] }
    public func attachments(testCaseStartedId: String, testStepId: String) -> [Object] {
        attachmentsByStep["\(testCaseStartedId)/\(testStepId)"] ?? []
    }

    /// The lineage of a pickle: its examples row's, else its scenario's.
    public func lineage(of pickle: Object) -> Lineage? {
        let ids = pickle["astNodeIds"] as? [String] ?? []
        for id in ids.reversed() { if let l = lineageById[id] { return l } }
        return nil
    }

    /// Test cases started and not to be retried, in the order they started.
    public var testCasesStarted: [Object] {
        let all = testCaseStartedOrder.compactMap { testCaseStartedById[$0] }.filter { started in
            !((testCaseFinishedByStartedId[started["id"] as! String]?["willBeRetried"] as? Bool) ?? false)
        }
        return all.enumerated().sorted { a, b in
            let ta = Self.millis(a.element["timestamp"]), tb = Self.millis(b.element["timestamp"])
            return ta != tb ? ta < tb : a.offset < b.offset
        }.map(\.element)
    }

    public func testCaseFinished(startedId: String) -> Object? { testCaseFinishedByStartedId[startedId] }

    /// (testStepFinished, testStep) pairs of a started test case, in order.
    public func stepResults(startedId: String) -> [(finished: Object, step: Object)] {
        (stepFinishedByStartedId[startedId] ?? []).compactMap { f in
            guard let id = f["testStepId"] as? String, let step = testStepById[id] else { return nil }
            return (f, step)
        }
    }

    public func pickle(ofStarted started: Object) -> Object? {
        guard let tcId = started["testCaseId"] as? String, let tc = testCaseById[tcId], let pid = tc["pickleId"] as? String else { return nil }
        return pickleById[pid]
    }

    public static let statusOrder = ["UNKNOWN", "PASSED", "SKIPPED", "PENDING", "UNDEFINED", "AMBIGUOUS", "FAILED"]

    /// The most severe step result of a test case (the last one among equally severe).
    public func mostSevereResult(startedId: String) -> Object? {
        var best: Object?
        var bestRank = -1
        for (f, _) in stepResults(startedId: startedId) {
            guard let r = f["testStepResult"] as? Object else { continue }
            let rank = Self.statusOrder.firstIndex(of: r["status"] as? String ?? "") ?? 0
            if rank >= bestRank { best = r; bestRank = rank }
        }
        return best
    }

    public static func millis(_ timestamp: Any?) -> Double {
        guard let t = timestamp as? Object else { return 0 }
        return (t["seconds"] as? Double ?? Double(t["seconds"] as? Int ?? 0)) * 1000
            + (t["nanos"] as? Double ?? Double(t["nanos"] as? Int ?? 0)) / 1_000_000
    }

    public static func seconds(_ duration: Any?) -> Double { millis(duration) / 1000 }

    public func testCaseSeconds(startedId: String) -> Double? {
        guard let started = testCaseStartedById[startedId], let finished = testCaseFinishedByStartedId[startedId] else { return nil }
        return (Self.millis(finished["timestamp"]) - Self.millis(started["timestamp"])) / 1000
    }

    public var testRunSeconds: Double? {
        guard let s = testRunStarted, let f = testRunFinished else { return nil }
        return (Self.millis(f["timestamp"]) - Self.millis(s["timestamp"])) / 1000
    }
}
