import Foundation
import Messages
import Gherkin
import Runtime
import Reporting
import Session
import Steps
import Synchronization
import Testing
import Drills

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

/// The suites that run whole chapters — their latency objectives, lag bounds and step deadlines
/// measure the pipeline on this machine — take turns: none shares the cores with another's drills
/// (on two cores, three at once made a 1000 ms objective read 1368 ms). The other suites run beside them.
@Suite(.serialized) enum WholeChapterRuns {}

/// The feature files under a folder, run through one `Session` per test process — the same
/// load → select → run → report as `kafka-bdd run` — with each pickle's outcome turned into Swift
/// Testing issues at the feature file's line, or a cancellation (skip) with its reason.
///
/// Environment: KAFKA_BDD_CLUSTER, KAFKA_BDD_TAGS, KAFKA_BDD_REPORTS (a folder: the message stream is
/// written as cases run, HTML and JUnit when the test process exits), KAFKA_BDD_FEATURES (another
/// folder of feature files than Features/).
final class AcceptanceSuite: Sendable {
    let session: Result<Session, Session.Problem>
    private let started = Mutex<Task<[String: Runner.PreparedTestCase], Error>?>(nil)
    private let environmentBackend: KafkaEnvironment.Backend
    /// How many of a card's scenarios run at once (each on its own embedded cluster); 1 on a shared cluster.
    let width: Int
    private let lanes: Lanes
    private let outcomes = Mutex<[String: Task<TestCaseOutcome, Never>]>([:])

    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let shared: AcceptanceSuite = {
        let env = ProcessInfo.processInfo.environment
        let folder = env["KAFKA_BDD_FEATURES"].map { URL(fileURLWithPath: $0, relativeTo: packageRoot) }
            ?? packageRoot.appendingPathComponent("Features")
        // As the main job (`--parallel 4`), a card's scenarios share the machine, three at a time: one on two
        // cores for the other suites running beside this one.
        let width = env["KAFKA_BDD_PARALLEL"].flatMap(Int.init) ?? 3
        let suite = AcceptanceSuite(folder: folder, reports: env["KAFKA_BDD_REPORTS"], parallel: width)
        if env["KAFKA_BDD_REPORTS"] != nil {
            // Swift Testing has no end-of-run hook: the rendered reports are written once, at exit, so
            // their cost stays linear in the number of cases.
            atexit { try? AcceptanceSuite.shared.session.get().writeReports() }
        }
        return suite
    }()

    init(folder: URL, reports: String? = nil, parallel: Int = 1) {
        var configuration = Session.Configuration()
        configuration.paths = [folder.standardizedFileURL.path]
        configuration.root = Self.packageRoot.standardizedFileURL.path
        configuration.tags = ProcessInfo.processInfo.environment["KAFKA_BDD_TAGS"]
        configuration.title = "KafkaBDD — swift test"
        if let reports {
            configuration.reports = [
                .init(kind: .message, path: reports + "/messages.ndjson"),
                .init(kind: .junit, path: reports + "/junit.xml"),
                .init(kind: .html, path: reports + "/index.html"),
            ]
        }
        session = Result { () throws(Session.Problem) in try Session(configuration) }
        let name = ProcessInfo.processInfo.environment["KAFKA_BDD_CLUSTER"] ?? "embedded"
        environmentBackend = KafkaEnvironment.Backend(rawValue: name) ?? .embedded
        // Scenarios on one shared cluster would fault each other (as `kafka-bdd run --parallel`).
        width = environmentBackend == .embedded ? max(1, min(parallel, 8)) : 1
        lanes = Lanes(width)
    }

    /// The cases of a card (`KAF-02`), or of every file without a card tag (`nil`).
    func cases(card: String?) -> [AcceptanceCase] {
        guard let session = try? session.get() else { return [] }
        let documents = Dictionary(session.files.map { ($0.uri, $0.document) }, uniquingKeysWith: { a, _ in a })
        return session.selectedPickles.compactMap { pickle -> AcceptanceCase? in
            guard Self.card(of: pickle) == card else { return nil }
            let rule = Self.ruleName(of: pickle, in: documents[pickle.uri] ?? nil)
            return AcceptanceCase(pickleId: pickle.id, card: card ?? "Features",
                                  title: (rule.map { "\($0) › " } ?? "") + pickle.name,
                                  uri: pickle.uri, line: pickle.location.line)
        }
    }

    static func card(of pickle: Pickle) -> String? { CardTags.studyPlan.card(of: pickle.tags.map(\.name)) }

    static func ruleName(of pickle: Pickle, in document: GherkinDocument?) -> String? {
        for child in document?.feature?.children ?? [] {
            if case .rule(let r) = child,
               r.children.contains(where: { if case .scenario(let s) = $0 { pickle.astNodeIds.contains(s.id) } else { false } }) {
                return r.name
            }
        }
        return nil
    }

    /// Starts the session once per process, however many cases ask at once.
    private func prepared() async throws -> [String: Runner.PreparedTestCase] {
        let session = try self.session.get()
        let backend = environmentBackend
        let task = started.withLock { t in
            if let t { return t }
            let new = Task { () throws -> [String: Runner.PreparedTestCase] in
                let environment = try KafkaEnvironment(backend: backend)
                try await environment.checkReachable()
                let cases = try await session.start(support: Steps.supportCode(environment: environment))
                return Dictionary(uniqueKeysWithValues: cases.map { ($0.pickle.id, $0) })
            }
            t = new
            return new
        }
        return try await task.value
    }

    /// Runs one scenario; a failure is recorded at its step's line in the feature file. The first case of a
    /// card asked for starts the card's other cases too, `width` at a time: Swift Testing runs the cases of
    /// this serialized suite one after another, and each then waits only for its own outcome.
    func run(_ c: AcceptanceCase) async throws {
        let session = try self.session.get()
        let prepared = try await prepared()
        guard let testCase = prepared[c.pickleId] else {
            try Test.cancel("\(c.testDescription) is not selected (KAFKA_BDD_TAGS)")
        }
        let card = c.card == "Features" ? nil : c.card
        // The card's cases are looked up once, by its first case: the others find their task started.
        let started = outcomes.withLock { $0[testCase.pickle.id] != nil }
        let siblings =
            started ? [] : width > 1 ? cases(card: card).compactMap { prepared[$0.pickleId] } : [testCase]
        let task = outcomes.withLock { tasks -> Task<TestCaseOutcome, Never> in
            for sibling in siblings where tasks[sibling.pickle.id] == nil {
                tasks[sibling.pickle.id] = Task { [lanes] in
                    await lanes.acquire()
                    let outcome = await session.execute(sibling)
                    await lanes.release()
                    return outcome
                }
            }
            return tasks[testCase.pickle.id] ?? Task { await session.execute(testCase) }
        }
        try report(await task.value, file: session.files.first { $0.uri == c.uri })
    }

    func report(_ outcome: TestCaseOutcome, file: FeatureFile?) throws {
        let path = Self.packageRoot.appendingPathComponent(outcome.pickle.uri).path
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
        case .undefined where !strict, .pending where !strict:
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

    private var strict: Bool { (try? session.get().configuration.options.strict) ?? true }
}

/// A counting semaphore: at most `width` holders at once, the others waiting in turn.
actor Lanes {
    private var free: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []
    init(_ width: Int) { free = width }

    func acquire() async {
        if free > 0 { free -= 1; return }
        await withCheckedContinuation { waiting.append($0) }
    }

    func release() {
        if waiting.isEmpty { free += 1 } else { waiting.removeFirst().resume() }
    }
}
