import Foundation
import Messages
import Gherkin
import Expressions
import Runtime
import Reporting
import KafkaClient
import Cluster
import Verification
import Steps
import Synchronization
import Testing

/// One scenario of the study plan as a Swift Testing case:
/// `KAF-02 · Rule › Scenario (Features/kaf02-installing-kafka.feature:16)`.
struct AcceptanceCase: Sendable, CustomTestStringConvertible {
    let pickleId: String
    let card: String
    let title: String
    let uri: String
    let line: Int

    var testDescription: String { "\(card) · \(title) (\(uri):\(line))" }
}

/// The feature files under a folder, run through one Runner per test process — the same engine as
/// `kafka-bdd run` — with each pickle's outcome turned into Swift Testing issues at the feature
/// file's line, or a cancellation (skip) with its reason.
final class AcceptanceSuite: Sendable {
    let root: URL
    let files: [FeatureFile]
    let options: RunOptions
    private let state = Mutex<State>(State())
    private let lines = Lines()

    /// The run's envelopes so far: as NDJSON lines and in the query the reports read.
    final class Lines: Sendable {
        let value = Mutex<(lines: [String], query: RunQuery)>(([], RunQuery()))
    }
    private let environmentBackend: KafkaEnvironment.Backend

    struct State {
        var runner: Runner?
        var prepared: [String: Runner.PreparedTestCase] = [:]
        var environment: KafkaEnvironment?
    }

    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let shared = AcceptanceSuite(folder: packageRoot.appendingPathComponent("Features"))

    init(folder: URL) {
        root = AcceptanceSuite.packageRoot
        let ids = IdGenerator()
        let paths = (try? FeatureFile.discover([folder.path])) ?? []
        files = paths.compactMap { path in
            let relative = path.hasPrefix(AcceptanceSuite.packageRoot.path + "/") ? String(path.dropFirst(AcceptanceSuite.packageRoot.path.count + 1)) : path
            guard let source = try? FeatureFile.readSource(path: path) else { return nil }
            return FeatureFile(uri: relative, source: source, ids: ids)
        }
        var options = RunOptions()
        let env = ProcessInfo.processInfo.environment
        if let tags = env["KAFKA_BDD_TAGS"], let expression = try? TagExpression(parsing: tags) { options.tags = expression }
        self.options = options
        environmentBackend = KafkaEnvironment.Backend(rawValue: env["KAFKA_BDD_CLUSTER"] ?? "embedded") ?? .embedded
        self.idsForRun = ids
    }

    private let idsForRun: IdGenerator

    /// The cases of a card (`KAF-02`), or of every file without a card tag (`nil`).
    func cases(card: String?) -> [AcceptanceCase] {
        files.flatMap { file in
            file.pickles.compactMap { pickle -> AcceptanceCase? in
                let cardTag = CardTags.studyPlan.card(of: pickle.tags.map(\.name))
                guard cardTag == card, options.tags.evaluate(pickle.tags.map(\.name)) else { return nil }
                let rule = Self.ruleName(of: pickle, in: file.document)
                return AcceptanceCase(pickleId: pickle.id, card: card ?? "Features", title: (rule.map { "\($0) › " } ?? "") + pickle.name,
                                      uri: pickle.uri, line: pickle.location.line)
            }
        }
    }

    static func ruleName(of pickle: Pickle, in document: GherkinDocument?) -> String? {
        for child in document?.feature?.children ?? [] {
            if case .rule(let r) = child,
               r.children.contains(where: { if case .scenario(let s) = $0 { pickle.astNodeIds.contains(s.id) } else { false } }) {
                return r.name
            }
        }
        return nil
    }

    private func runner() async throws -> (Runner, [String: Runner.PreparedTestCase]) {
        if let r = state.withLock({ s in s.runner.map { ($0, s.prepared) } }) { return r }
        let environment = try KafkaEnvironment(backend: environmentBackend)
        try await environment.checkReachable()
        let lines = self.lines
        let runner = Runner(support: Steps.supportCode(environment: environment), options: options, ids: idsForRun) { envelope in
            lines.value.withLock { s in
                s.lines.append(envelope.ndjsonLine)
                s.query.update(envelope)
            }
        }
        let prepared = Dictionary(uniqueKeysWithValues: await runner.begin(files).map { ($0.pickle.id, $0) })
        return state.withLock { s in
            if let existing = s.runner { return (existing, s.prepared) }
            s.runner = runner
            s.prepared = prepared
            s.environment = environment
            return (runner, prepared)
        }
    }

    /// Runs one scenario; a failure is recorded at its step's line in the feature file.
    func run(_ c: AcceptanceCase) async throws {
        let (runner, prepared) = try await runner()
        guard let testCase = prepared[c.pickleId] else {
            try Test.cancel("\(c.testDescription) is not selected (KAFKA_BDD_TAGS)")
        }
        let outcome = await runner.execute(testCase)
        writeReports()
        try report(outcome, file: files.first { $0.uri == c.uri })
    }

    func report(_ outcome: TestCaseOutcome, file: FeatureFile?) throws {
        let path = root.appendingPathComponent(outcome.pickle.uri).path
        func location(of stepText: String) -> SourceLocation {
            let step = outcome.pickle.steps.first { $0.text == stepText }
            let line = step.flatMap { s in Self.line(ofStep: s, in: file?.document) } ?? outcome.pickle.location.line
            return SourceLocation(fileID: "Features/\(URL(fileURLWithPath: path).lastPathComponent)", filePath: path, line: line, column: 1)
        }
        switch outcome.status {
        case .passed:
            return
        case .skipped:
            try Test.cancel(Comment(rawValue: "skipped: \(outcome.decisive?.result.message ?? "a step skipped")"))
        case .undefined where !options.strict, .pending where !options.strict:
            try Test.cancel(Comment(rawValue: "\(outcome.status.rawValue.lowercased()): \(outcome.decisive?.text ?? "")"))
        default:
            for step in outcome.steps where step.result.status > .skipped {
                let kind = step.result.status.rawValue.lowercased()
                Issue.record(Comment(rawValue: "\(kind) step '\(step.text)': \(step.result.message ?? kind)"), sourceLocation: location(of: step.text))
            }
        }
    }

    static func line(ofStep step: PickleStep, in document: GherkinDocument?) -> Int? {
        guard let id = step.astNodeIds.first, let feature = document?.feature else { return nil }
        func find(_ steps: [Messages.Step]) -> Int? { steps.first { $0.id == id }?.location.line }
        for child in feature.children {
            switch child {
            case .background(let b): if let l = find(b.steps) { return l }
            case .scenario(let s): if let l = find(s.steps) { return l }
            case .rule(let r):
                for c in r.children {
                    switch c {
                    case .background(let b): if let l = find(b.steps) { return l }
                    case .scenario(let s): if let l = find(s.steps) { return l }
                    }
                }
            }
        }
        return nil
    }

    /// With KAFKA_BDD_REPORTS=DIR, the reports so far (the run is closed after every case).
    func writeReports() {
        guard let dir = ProcessInfo.processInfo.environment["KAFKA_BDD_REPORTS"] else { return }
        let (stream, snapshot) = lines.value.withLock { ($0.lines, $0.query) }
        var query = snapshot
        guard let runId = query.testRunStarted?.id else { return }
        let outcomes = ReportModel(query)
        let success = outcomes.cases.allSatisfy { $0.status == .passed || $0.status == .skipped }
        // The run stays open for the next case: only this copy of the query is closed.
        let finishedEnvelope = Envelope.testRunFinished(testRunStartedId: runId, success: success, message: nil,
                                                        exception: nil, timestamp: .now())
        query.update(finishedEnvelope)
        let finished = finishedEnvelope.ndjsonLine
        let url = URL(fileURLWithPath: dir)
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        try? Data((stream.joined() + finished).utf8).write(to: url.appendingPathComponent("messages.ndjson"))
        try? Data(JUnitFormatter().render(query).utf8).write(to: url.appendingPathComponent("junit.xml"))
        let html = HTMLFormatter(title: "KafkaBDD — swift test", cardTags: .studyPlan).render(query)
        try? Data(html.utf8).write(to: url.appendingPathComponent("index.html"))
    }
}
