import Expressions
import Foundation
import Gherkin
import Messages
import Reporting
import Runtime
import Synchronization

/// One run of feature files — load → select → run → report — the same for `kafka-bdd run` and the
/// Swift Testing suite. Reports are fed envelope by envelope as the run emits them; the message
/// stream is on disk as it grows, the rendered reports are written by `finish` (or `writeReports`).
public final class Session: Sendable {
    public struct Configuration: Sendable {
        /// Feature files or folders, optionally `FILE:LINE[:LINE…]`.
        public var paths: [String] = ["Features"]
        /// Paths below this folder are reported relative to it (the package root in the test suite).
        public var root: String?
        public var tags: String?
        /// A regular expression over scenario names.
        public var name: String?
        public var options = RunOptions()
        public var reports: [Report] = []
        /// The HTML report's title.
        public var title = "KafkaBDD report"
        /// Scenarios run at once (each on its own cluster); output stays in scenario order.
        public var parallel = 1
        /// Seconds each scenario took in an earlier run (`ScenarioTimings`): with `parallel`, the longest
        /// start first.
        public var timings: [String: Double] = [:]
        /// Which tags name a study-plan card, for the readiness matrix.
        public var cardTags = CardTags.studyPlan

        public init() {}
    }

    /// A report to write: `html:reports/index.html`.
    public struct Report: Sendable, Equatable {
        public enum Kind: String, Sendable, CaseIterable { case html, junit, message, json, rerun }
        public var kind: Kind
        public var path: String

        public init(kind: Kind, path: String) {
            self.kind = kind
            self.path = path
        }

        /// Parses `FORMAT:PATH`; nil when the format is unknown or the path empty.
        public init?(_ argument: String) {
            guard let colon = argument.firstIndex(of: ":"), let kind = Kind(rawValue: String(argument[..<colon]))
            else { return nil }
            let path = String(argument[argument.index(after: colon)...])
            guard !path.isEmpty else { return nil }
            self.init(kind: kind, path: path)
        }

        public static let usage = "expected " + Kind.allCases.map { "\($0.rawValue):PATH" }.joined(separator: ", ")
    }

    /// What stops a run before it starts, or its reports from being written: a usage error, a
    /// missing or unreadable feature file, an unwritable report path (the CLI's exit 2).
    public struct Problem: Error, Sendable, CustomStringConvertible {
        public let description: String
        public init(_ description: String) { self.description = description }
    }

    public let configuration: Configuration
    /// Every loaded file, parse errors included (they are reported, and fail the run).
    public let files: [FeatureFile]
    private let options: RunOptions
    private let ids = IdGenerator()
    private let state = Mutex(State())

    private struct State {
        var runner: Runner?
        var prepared: [Runner.PreparedTestCase] = []
        var query = RunQuery()
        var stream: FileHandle?
        var testRunStartedId = ""
        var finished = false
        var observe: (@Sendable (Envelope, RunQuery) -> Void)?
        // With parallel scenarios, each case's envelopes wait until every earlier case has been written.
        var caseIndex: [String: Int] = [:]  // testCaseId → position in the run
        var startedIndex: [String: Int] = [:]  // testCaseStartedId → position
        var held: [Int: [Envelope]] = [:]
        var done: Set<Int> = []
        var nextToWrite = 0
        var written = 0  // envelopes written to the stream and the query
    }
    /// One report writer at a time; the envelope count the reports on disk were rendered from.
    private let reportsWriter = Mutex<Int?>(nil)
    /// The signal that interrupted the run (0: none). Set while holding `reportsWriter`.
    private let interruptedBy = Atomic<Int32>(0)
    private var stopped: Bool { interruptedBy.load(ordering: .sequentiallyConsistent) != 0 }

    /// Loads and selects: reads every feature file, checks the tag expression, the name filter, the
    /// line filters and that every report path can be written.
    public init(_ configuration: Configuration) throws(Problem) {
        self.configuration = configuration
        var options = configuration.options
        if let tags = configuration.tags {
            do { options.tags = try TagExpression(parsing: tags) } catch { throw Problem("--tags \(tags): \(error)") }
        }
        let nameFilter: NSRegularExpression?
        if let name = configuration.name {
            do { nameFilter = try NSRegularExpression(pattern: name) } catch {
                throw Problem("--name \(name): not a valid regular expression")
            }
        } else {
            nameFilter = nil
        }
        let selection: FeatureSelection
        do { selection = try FeatureSelection(configuration.paths) } catch { throw Problem(error.description) }
        var files: [FeatureFile] = []
        for path in selection.files {
            do {
                let source = try FeatureFile.readSource(path: path)
                files.append(FeatureFile(uri: Self.relative(path, to: configuration.root), source: source, ids: ids))
            } catch {
                throw Problem(error.description)
            }
        }
        let root = configuration.root
        let unmatched = selection.unmatchedLines(in: files) { Self.absolute($0.uri, root: root) }
        if !unmatched.isEmpty { throw Problem(unmatched.joined(separator: "\n")) }
        let documents = Dictionary(
            files.map { (Self.absolute($0.uri, root: configuration.root), $0.document) },
            uniquingKeysWith: { a, _ in a })
        options.pickleFilter = { [previous = options.pickleFilter] pickle in
            let path = Self.absolute(pickle.uri, root: root)
            let name = pickle.name
            return previous(pickle) && selection.includes(pickle, in: documents[path] ?? nil, path: path)
                && nameFilter.map { $0.firstMatch(in: name, range: NSRange(name.startIndex..., in: name)) != nil }
                    ?? true
        }
        self.options = options
        self.files = files
        for report in configuration.reports { try Self.checkWritable(report.path) }
    }

    /// The pickles this session selects, in file order (before any shuffle).
    public var selectedPickles: [Pickle] {
        options.shard.map { Runner.shard(selectedInEveryShard, $0) } ?? selectedInEveryShard
    }

    /// The pickles the paths, tags and names select, before a shard takes its share.
    public var selectedInEveryShard: [Pickle] {
        files.flatMap(\.pickles).filter { options.tags.evaluate($0.tags.map(\.name)) && options.pickleFilter($0) }
    }

    public var hasParseErrors: Bool { files.contains { !$0.errors.isEmpty } }

    /// Announces the run and runs BeforeAll hooks; `observe` sees every envelope (a console, say).
    @discardableResult
    public func start(support: SupportCode, observe: (@Sendable (Envelope, RunQuery) -> Void)? = nil)
        async throws(Problem)
        -> [Runner.PreparedTestCase]
    {
        var stream: FileHandle?
        if let message = configuration.reports.first(where: { $0.kind == .message }) {
            guard FileManager.default.createFile(atPath: message.path, contents: nil),
                let handle = FileHandle(forWritingAtPath: message.path)
            else {
                throw Problem("cannot write \(message.path)")
            }
            stream = handle
        }
        state.withLock {
            $0.stream = stream
            $0.observe = observe
        }
        let runner = Runner(support: support, options: options, ids: ids) { [self] envelope in receive(envelope) }
        let prepared = await runner.begin(files)
        state.withLock {
            $0.runner = runner
            $0.prepared = prepared
        }
        return prepared
    }

    /// Every envelope the runner emits; with parallel scenarios, a case's envelopes are held back
    /// until the cases before it are written, so console and reports read as a serial run would.
    private func receive(_ envelope: Envelope) {
        state.withLock { s in receiveLocked(envelope, &s) }
        // The end of the run is shown outside the lock: the console's summary (did-you-mean for every
        // undefined step) can take seconds, and an interrupt meanwhile must still get the reports written.
        if case .testRunFinished = envelope {
            let (observe, query) = state.withLock { ($0.observe, $0.query) }
            observe?(envelope, query)
        }
    }

    private func receiveLocked(_ envelope: Envelope, _ s: inout State) {
        guard configuration.parallel > 1 else { return write(envelope, &s) }
        let position: Int?
        switch envelope {
        case .testCase(let t):
            s.caseIndex[t.id] = s.caseIndex.count
            position = nil
        case .testCaseStarted(let id, let testCaseId, _, _):
            s.startedIndex[id] = s.caseIndex[testCaseId]
            position = s.startedIndex[id]
        case .testStepStarted(let started, _, _), .testStepFinished(let started, _, _, _):
            position = s.startedIndex[started]
        case .testCaseFinished(let started, _, _):
            position = s.startedIndex[started]
            if let position { s.done.insert(position) }
        case .attachment(let a):
            position = a.testCaseStartedId.flatMap { s.startedIndex[$0] }
        default:
            position = nil
        }
        guard let position else { return write(envelope, &s) }
        s.held[position, default: []].append(envelope)
        while s.done.contains(s.nextToWrite) {
            for e in s.held.removeValue(forKey: s.nextToWrite) ?? [] { write(e, &s) }
            s.nextToWrite += 1
        }
    }

    private func write(_ envelope: Envelope, _ s: inout State) {
        let line = envelope.ndjsonLine
        s.stream?.write(Data(line.utf8))
        s.query.update(envelope)
        s.written += 1
        switch envelope {
        case .testRunStarted(let id, _): s.testRunStartedId = id
        case .testRunFinished: s.finished = true; return  // observed by `receive`, outside the lock
        default: break
        }
        s.observe?(envelope, s.query)
    }

    /// A run that cannot start (an unreachable cluster, say): the reports are written all the same and say
    /// why, so a CI job shows the reason rather than no report at all. Nothing ran; the run failed.
    public func abandon(_ reason: String) throws(Problem) {
        try Self.abandon(configuration, reason: reason)
    }

    /// Runs one prepared test case.
    public func execute(_ testCase: Runner.PreparedTestCase) async -> TestCaseOutcome {
        guard let runner = state.withLock({ $0.runner }) else { preconditionFailure("execute before start") }
        return await runner.execute(testCase)
    }

    /// Runs AfterAll hooks, closes the run and writes every report.
    public func finish() async throws(Problem) -> RunSummary {
        guard let runner = state.withLock({ $0.runner }) else { preconditionFailure("finish before start") }
        let summary = await runner.end()
        if !stopped { try writeReports() }
        return summary
    }

    /// The whole run: start, every selected case in order (stopping early with --fail-fast), finish.
    public func run(support: SupportCode, observe: (@Sendable (Envelope, RunQuery) -> Void)? = nil)
        async throws(Problem)
        -> RunSummary
    {
        let cases = try await start(support: support, observe: observe)
        if configuration.parallel <= 1 {
            for testCase in cases {
                if stopped { break }
                let outcome = await execute(testCase)
                if options.failFast, outcome.status > .skipped { break }
            }
        } else {
            await withTaskGroup(of: TestCaseOutcome.self) { group in
                var pending = ScenarioTimings.order(cases, timings: configuration.timings) {
                    ScenarioTimings.key(uri: $0.pickle.uri, line: $0.pickle.location.line)
                }[...]
                var stop = false
                for _ in 0..<configuration.parallel {
                    guard let next = pending.popFirst() else { break }
                    group.addTask { await self.execute(next) }
                }
                for await outcome in group {
                    if options.failFast, outcome.status > .skipped { stop = true }
                    if !stop, !stopped, let next = pending.popFirst() { group.addTask { await self.execute(next) } }
                }
            }
        }
        return try await finish()
    }

    /// Writes the rendered reports from what the run has emitted so far. A run that has not
    /// finished (the Swift Testing suite, which has no end) is closed in the reports only, with the
    /// real run id and a success computed from the cases so far.
    /// An interrupt while the end of the run is writing them waits for those reports rather than
    /// rendering them a second time (50,000 scenarios: seconds).
    public func writeReports() throws(Problem) {
        try reportsWriter.withLock { (renderedFrom: inout Int?) throws(Problem) in try writeReports(&renderedFrom) }
    }

    /// Ctrl-C or SIGTERM: no further case starts and the console stops (the reports get the machine: 50,000
    /// scenarios take seconds), and the reports of what ran are written now; `finish` does not write them
    /// again. Returns, when they are on disk, how many test cases they hold.
    @discardableResult
    public func interrupt(signal: Int32) throws(Problem) -> Int {
        try reportsWriter.withLock { (renderedFrom: inout Int?) throws(Problem) in
            interruptedBy.store(signal, ordering: .sequentiallyConsistent)
            let cases = state.withLock { s in
                s.observe = nil
                return s.query.testCasesStarted.count
            }
            try writeReports(&renderedFrom)
            return cases
        }
    }

    /// The signal that interrupted the run, once the interrupt's reports are on disk; nil when none did.
    public func interruption() -> Int32? {
        guard stopped else { return nil }
        reportsWriter.withLock { _ in }  // the interrupt holds it until its reports are written
        return interruptedBy.load(ordering: .sequentiallyConsistent)
    }

    private func writeReports(_ renderedFrom: inout Int?) throws(Problem) {
        // No fsync of the message stream: its writes reach the file as they are made and outlive the process
        // (0.13 s for 50,000 scenarios, while an interrupted user waits).
        let (snapshot, count, finished, runId) = state.withLock { s in
            return (s.query, s.written, s.finished, s.testRunStartedId)
        }
        guard renderedFrom != count else { return }
        var query = snapshot
        if !finished {
            let signal = interruptedBy.load(ordering: .sequentiallyConsistent)
            query.closeUnfinishedCases(why: Self.unfinished(signal: signal))
            let success =
                !stopped
                && query.testCasesStarted.allSatisfy {
                    [.passed, .skipped].contains(query.status(startedId: $0.id))
                }
            query.update(
                .testRunFinished(
                    testRunStartedId: runId, success: success,
                    message: nil, exception: nil, timestamp: .now()))
        }
        try Self.write(Self.rendered(query, configuration))
        renderedFrom = count
    }

    /// Why a case still running when the reports are written did not finish.
    static func unfinished(signal: Int32) -> String {
        switch signal {
        case 0: "the run ended before this step finished"
        case SIGINT: "interrupted (Ctrl-C) before this step finished"
        case SIGTERM: "interrupted (SIGTERM) before this step finished"
        default: "interrupted (signal \(signal)) before this step finished"
        }
    }

    /// Every report but the message stream, rendered from `query`.
    /// Each on a thread of its own: a large run's HTML and JUnit take seconds each, and an interrupted run
    /// writes them while the user waits.
    public static func rendered(_ query: RunQuery, _ configuration: Configuration) -> [(String, String)] {
        let reports = configuration.reports.filter { $0.kind != .message }
        let texts = Mutex([String?](repeating: nil, count: reports.count))
        DispatchQueue.concurrentPerform(iterations: reports.count) { i in
            let report = reports[i]
            let text =
                switch report.kind {
                case .message: ""
                case .html: HTMLFormatter(title: configuration.title, cardTags: configuration.cardTags).render(query)
                case .junit: JUnitFormatter().render(query)
                case .json: (try? CucumberJSONFormatter().render(query)) ?? "[]"
                case .rerun: RerunFormatter().render(query)
                }
            texts.withLock { $0[i] = text }
        }
        return zip(reports, texts.withLock { $0 }).map { ($0.path, $1 ?? "") }
    }

    public static func write(_ rendered: [(String, String)]) throws(Problem) {
        for (path, text) in rendered {
            do { try Data(text.utf8).write(to: URL(fileURLWithPath: path)) } catch {
                throw Problem("cannot write \(path): \(error.localizedDescription)")
            }
        }
    }

    /// As `abandon`, where not even a session could be made (a feature file that cannot be read): the
    /// reports still say why the run did not start.
    public static func abandon(_ configuration: Configuration, reason: String) throws(Problem) {
        let ids = IdGenerator()
        let runId = ids.newId()
        let envelopes: [Envelope] = [
            .meta(Meta()), .testRunStarted(id: runId, timestamp: .now()),
            .testRunFinished(
                testRunStartedId: runId, success: false, message: reason, exception: nil,
                timestamp: .now()),
        ]
        var query = RunQuery()
        envelopes.forEach { query.update($0) }
        var files = rendered(query, configuration)
        if let message = configuration.reports.first(where: { $0.kind == .message }) {
            files.append((message.path, envelopes.map(\.ndjsonLine).joined()))
        }
        try write(files)
    }

    private static func checkWritable(_ path: String) throws(Problem) {
        let url = URL(fileURLWithPath: path)
        do {
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        } catch {
            throw Problem("cannot write \(path): \(error.localizedDescription)")
        }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard !isDirectory.boolValue, FileManager.default.isWritableFile(atPath: path) else {
                throw Problem("cannot write \(path): \(isDirectory.boolValue ? "it is a folder" : "not writable")")
            }
        } else if !FileManager.default.isWritableFile(atPath: url.deletingLastPathComponent().path) {
            throw Problem("cannot write \(path): its folder is not writable")
        }
    }

    private static func relative(_ path: String, to root: String?) -> String {
        guard let root, path.hasPrefix(root + "/") else { return path }
        return String(path.dropFirst(root.count + 1))
    }

    private static func absolute(_ uri: String, root: String?) -> String {
        guard let root, !uri.hasPrefix("/") else { return uri }
        return root + "/" + uri
    }
}
