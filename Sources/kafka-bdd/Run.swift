import ArgumentParser
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

/// `kafka-bdd run`: the acceptance suite against a cluster, with reports.
struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run feature files against a Kafka cluster and write reports.",
        discussion: """
            Exit status: 0 when nothing failed; 1 when a scenario failed, was undefined, pending or ambiguous \
            (undefined and pending pass with --no-strict); 2 for usage, feature-file or cluster connection errors.
            Reports: --report html:reports/index.html --report junit:reports/junit.xml --report message:run.ndjson \
            --report json:cucumber.json --report rerun:rerun.txt (repeatable).
            """
    )

    @Argument(help: "Feature files or folders, optionally FILE:LINE[:LINE…]. Default: Features.")
    var paths: [String] = []

    @Option(help: "Tag expression selecting scenarios, e.g. '@KAF-07 and not @slow'.")
    var tags: String?

    @Option(help: "Run only scenarios whose name matches this regular expression.")
    var name: String?

    @Option(help: "Cluster backend: embedded, compose or external (KAFKA_BDD_BOOTSTRAP, KAFKA_BDD_CLIENT_PROPERTIES).")
    var cluster: String?

    @Option(help: "Console output: pretty, progress or summary.")
    var format: ConsoleFormatter.Style = .progress

    @Option(name: .customLong("report"), help: "FORMAT:PATH with FORMAT html, junit, message, json or rerun (repeatable).")
    var reports: [String] = []

    @Flag(help: "Match every step against the definitions but run nothing.")
    var dryRun = false

    @Flag(inversion: .prefixedNo, help: "Undefined and pending steps fail the run.")
    var strict = true

    @Flag(help: "Stop after the first scenario that fails.")
    var failFast = false

    @Option(help: "Scenario order: defined, or random[:SEED].")
    var order = "defined"

    @Option(name: .customLong("step-timeout"), help: "Time limit of each step and hook, in seconds.")
    var stepTimeout: Double = 60

    func validate() throws {
        for r in reports {
            guard let i = r.firstIndex(of: ":"), ReportKind(rawValue: String(r[..<i])) != nil, r.index(after: i) < r.endIndex else {
                throw ValidationError("--report \(r): expected html:PATH, junit:PATH, message:PATH, json:PATH or rerun:PATH")
            }
        }
        guard order == "defined" || order == "random" || (order.hasPrefix("random:") && UInt64(order.dropFirst(7)) != nil) else {
            throw ValidationError("--order \(order): expected defined, random or random:SEED")
        }
        guard stepTimeout > 0 else { throw ValidationError("--step-timeout must be positive") }
    }

    enum ReportKind: String { case html, junit, message, json, rerun }

    func fail(_ message: String) -> ExitCode {
        StandardOutput.error("kafka-bdd: \(message)")
        return ExitCode(2)
    }

    func run() async throws {
        var options = RunOptions()
        if let tags {
            do { options.tags = try TagExpression(parsing: tags) } catch { throw fail("\(error)") }
        }
        let nameFilter: NSRegularExpression?
        if let name {
            do { nameFilter = try NSRegularExpression(pattern: name) } catch { throw fail("--name \(name): not a valid regular expression") }
        } else {
            nameFilter = nil
        }
        let selection: FeatureSelection
        do { selection = try FeatureSelection(paths.isEmpty ? ["Features"] : paths) } catch { throw fail(error.description) }
        let ids = IdGenerator()
        var files: [FeatureFile] = []
        for path in selection.files {
            do { files.append(try FeatureFile.load(path: path, ids: ids)) } catch { throw fail(error.description) }
        }
        let unmatched = selection.unmatchedLines(in: files)
        if !unmatched.isEmpty { throw fail(unmatched.joined(separator: "\n")) }
        let documents = Dictionary(files.map { ($0.uri, $0.document) }, uniquingKeysWith: { a, _ in a })
        options.pickleFilter = { pickle in
            selection.includes(pickle, in: documents[pickle.uri] ?? nil)
                && nameFilter.map { $0.firstMatch(in: pickle.name, range: NSRange(pickle.name.startIndex..., in: pickle.name)) != nil } ?? true
        }
        options.dryRun = dryRun
        options.strict = strict
        options.failFast = failFast
        options.stepTimeout = .milliseconds(Int64(stepTimeout * 1000))
        options.hookTimeout = options.stepTimeout
        if order.hasPrefix("random") {
            let seed = order.count > 7 ? UInt64(order.dropFirst(7))! : UInt64.random(in: 0...UInt64(UInt32.max))
            options.shuffleSeed = seed
            StandardOutput.error("random order, seed \(seed) (rerun with --order random:\(seed))")
        }

        let backendName = cluster ?? ProcessInfo.processInfo.environment["KAFKA_BDD_CLUSTER"] ?? "embedded"
        guard let backend = KafkaEnvironment.Backend(rawValue: backendName) else {
            throw fail("--cluster \(backendName): expected embedded, compose or external")
        }
        let environment: KafkaEnvironment
        do {
            environment = try KafkaEnvironment(backend: backend, stepTimeout: options.stepTimeout)
            if !dryRun { try await environment.checkReachable() }
        } catch {
            throw fail("\(error)")
        }

        let colour = isatty(1) != 0 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
        let console = ConsoleFormatter(style: format, colour: colour) { StandardOutput.write($0) }
        let keepStream = reports.contains { $0.hasPrefix("\(ReportKind.message.rawValue):") }
        let stream = Mutex<(query: RunQuery, lines: [String])>((RunQuery(), []))
        let runner = Runner(support: Steps.supportCode(environment: environment), options: options, ids: ids) { envelope in
            stream.withLock { s in
                s.query.update(envelope)
                console.handle(envelope, query: s.query)
                if keepStream { s.lines.append(envelope.ndjsonLine) }
            }
        }
        let summary = await runner.run(files)
        await environment.shutdown()

        let (query, lines) = stream.withLock { ($0.query, $0.lines) }
        for report in reports {
            let i = report.firstIndex(of: ":")!
            let kind = ReportKind(rawValue: String(report[..<i]))!
            let path = String(report[report.index(after: i)...])
            let text: String = switch kind {
            case .html:
                HTMLFormatter(title: "KafkaBDD — \(backend.rawValue) cluster", cardTags: .studyPlan).render(query)
            case .junit: JUnitFormatter().render(query)
            case .message: lines.joined()
            case .json: try CucumberJSONFormatter().render(query)
            case .rerun: RerunFormatter().render(query)
            }
            do {
                try FileManager.default.createDirectory(at: URL(fileURLWithPath: path).deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            } catch {
                throw fail("cannot write \(path): \(error.localizedDescription)")
            }
        }
        if files.contains(where: { !$0.errors.isEmpty }) { throw ExitCode(2) }
        if !summary.success { throw ExitCode(1) }
    }
}

extension ConsoleFormatter.Style: ExpressibleByArgument {}
