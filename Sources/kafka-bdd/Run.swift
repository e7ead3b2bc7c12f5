import ArgumentParser
import Foundation
import Synchronization
import Messages
import Runtime
import Session
import Reporting
import KafkaClient
import Cluster
import Steps
import Drills

/// `kafka-bdd run`: the acceptance suite against a cluster, with reports.
struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run feature files against a Kafka cluster and write reports.",
        discussion: """
            Exit status: 0 when nothing failed; 1 when a scenario failed, was undefined, pending or ambiguous \
            (undefined and pending pass with --no-strict); 2 for usage errors, bad feature files, an unreachable \
            cluster, an unwritable report path, or no scenario selected (--allow-empty accepts that).
            Reports: --report html:reports/index.html --report junit:reports/junit.xml --report message:run.ndjson \
            --report json:cucumber.json --report rerun:rerun.txt (repeatable).
            """
    )

    @Argument(
        help: ArgumentHelp(
            "Feature files or folders, optionally FILE:LINE[:LINE…], or @FILE: the locations "
                + "a rerun report listed (an empty one selects nothing, and the run passes). Default: Features."))
    var paths: [String] = []

    @Option(help: "Tag expression selecting scenarios, e.g. '@KAF-07 and not @slow'.")
    var tags: String?

    @Option(help: "Run only scenarios whose name matches this regular expression.")
    var name: String?

    @Option(help: "Cluster backend: embedded, compose or external (KAFKA_BDD_BOOTSTRAP, KAFKA_BDD_CLIENT_PROPERTIES).")
    var cluster: String?

    @Option(help: "Console output: pretty, progress or summary.", transform: Run.consoleStyle)
    var format: ConsoleFormatter.Style = .progress

    @Option(
        name: .customLong("report"), help: "FORMAT:PATH with FORMAT html, junit, message, json or rerun (repeatable).")
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

    @Flag(help: "Exit 0 when the paths, tags and names select no scenario (by default that is exit 2).")
    var allowEmpty = false

    @Flag(help: "Fail (exit 1) when a selected scenario was skipped or none passed: every claim verified here.")
    var requireVerified = false

    @Option(help: "Scenarios run at once, each on its own embedded cluster; output keeps scenario order.")
    var parallel = 1

    @Option(
        help: """
            Run shard I of N: every Nth selected scenario in file order, starting with the Ith. N jobs with \
            the same paths and filters cover every scenario once; `kafka-bdd merge` joins their message streams.
            """, transform: Run.shard)
    var shard: Shard?

    struct Shard { var index: Int, count: Int }

    static func shard(_ text: String) throws -> Shard {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]), n >= 1, (1...n).contains(i) else {
            throw ValidationError("--shard \(text): expected I/N with 1 ≤ I ≤ N, e.g. 2/4")
        }
        return Shard(index: i, count: n)
    }

    @Option(
        help: """
            The message stream (--report message:) of an earlier run: with --parallel, the scenarios that \
            took longest there start first (those it does not list before them), so the run ends sooner. \
            Output and reports keep scenario order.
            """)
    var timings: String?

    @Option(
        help: """
            Run a failed scenario again, up to N more times (off by default). One that passes on a retry \
            is flaky: listed as such, a <flakyFailure> per failed attempt in JUnit; the run does not fail.
            """)
    var retry = 0

    func validate() throws {
        for r in reports where Session.Report(r) == nil {
            throw ValidationError("--report \(r): \(Session.Report.usage)")
        }
        guard
            order == "defined" || order == "random" || (order.hasPrefix("random:") && UInt64(order.dropFirst(7)) != nil)
        else {
            throw ValidationError("--order \(order): expected defined, random or random:SEED")
        }
        guard stepTimeout > 0 else { throw ValidationError("--step-timeout must be positive") }
        guard (1...64).contains(parallel) else { throw ValidationError("--parallel takes 1 to 64 scenarios at once") }
        guard (0...10).contains(retry) else { throw ValidationError("--retry takes 0 to 10 retries") }
    }

    func fail(_ message: String) -> ExitCode {
        StandardOutput.error("kafka-bdd: \(message)")
        return ExitCode(2)
    }

    func run() async throws {
        var configuration = Session.Configuration()
        let (expanded, rerunFiles) = try Self.expandRerunFiles(paths)
        configuration.paths = paths.isEmpty ? ["Features"] : expanded
        // An empty rerun file: the run it came from had nothing to run again.
        if !paths.isEmpty, expanded.isEmpty, rerunFiles > 0 {
            StandardOutput.error("kafka-bdd: the rerun file lists no scenario; nothing to run")
            return
        }
        configuration.tags = tags
        configuration.name = name
        configuration.reports = reports.compactMap(Session.Report.init)
        configuration.options.dryRun = dryRun
        configuration.options.strict = strict
        configuration.options.failFast = failFast
        configuration.options.retry = retry
        configuration.options.shard = shard.map { (index: $0.index, count: $0.count) }
        configuration.options.stepTimeout = .milliseconds(Int64(stepTimeout * 1000))
        configuration.options.hookTimeout = configuration.options.stepTimeout
        configuration.parallel = parallel
        if let timings { configuration.timings = try Self.readTimings(timings) }
        if order.hasPrefix("random") {
            let seed = order.count > 7 ? UInt64(order.dropFirst(7))! : UInt64.random(in: 0...UInt64(UInt32.max))
            configuration.options.shuffleSeed = seed
            StandardOutput.error("random order, seed \(seed) (rerun with --order random:\(seed))")
        }
        let backendName = cluster ?? ProcessInfo.processInfo.environment["KAFKA_BDD_CLUSTER"] ?? "embedded"
        guard let backend = KafkaEnvironment.Backend(rawValue: backendName) else {
            throw fail("--cluster \(backendName): expected embedded, compose or external")
        }
        guard parallel == 1 || backend == .embedded else {
            throw fail("--parallel needs --cluster embedded: scenarios on one shared cluster would fault each other")
        }
        configuration.title = "KafkaBDD — \(backend.rawValue) cluster"
        let session: Session
        do { session = try Session(configuration) } catch {
            try? Session.abandon(configuration, reason: error.description)
            throw fail(error.description)
        }
        // A mistyped tag or path in a CI gate must not go green by running nothing.
        // A shard may be empty (more shards than scenarios); it still runs, so its stream can be merged.
        if session.selectedInEveryShard.isEmpty, !allowEmpty, !session.hasParseErrors {
            let what = [tags.map { "--tags \($0)" }, name.map { "--name \($0)" }].compactMap { $0 }
            let reason =
                "no scenario matched \(configuration.paths.joined(separator: " "))"
                + (what.isEmpty ? "" : " with " + what.joined(separator: " "))
                + " (tags are case-sensitive; --allow-empty accepts an empty selection)"
            try? session.abandon(reason)
            throw fail(reason)
        }

        let environment: KafkaEnvironment
        do {
            environment = try KafkaEnvironment(backend: backend, stepTimeout: configuration.options.stepTimeout)
            if !dryRun { try await environment.checkReachable() }
        } catch {
            try? session.abandon("\(error)")
            throw fail("\(error)")
        }

        // no-color.org: colour is off when NO_COLOR is present and not empty.
        let colour = isatty(1) != 0 && (ProcessInfo.processInfo.environment["NO_COLOR"] ?? "").isEmpty
        let console = ConsoleFormatter(style: format, colour: colour, strict: strict) { StandardOutput.write($0) }
        let interrupted = Self.writeReportsOnInterrupt(session)
        defer { interrupted.forEach { $0.cancel() } }
        let summary: RunSummary
        do {
            summary = try await session.run(support: Steps.supportCode(environment: environment)) {
                console.handle($0, query: $1)
            }
        } catch {
            await environment.shutdown()
            throw fail(error.description)
        }
        await environment.shutdown()
        // The interrupt's thread ends the process once its reports are written; this only waits for that.
        if let signo = session.interruption() { throw ExitCode(128 + signo) }
        if session.hasParseErrors { throw ExitCode(2) }
        if !summary.success { throw ExitCode(1) }
        if requireVerified {
            let skipped = summary.count(.skipped), passed = summary.count(.passed)
            if skipped > 0 || passed == 0 {
                StandardOutput.error(
                    "kafka-bdd: --require-verified: \(passed) verified, \(skipped) skipped"
                        + (passed == 0 ? " — nothing was verified on this cluster" : ""))
                throw ExitCode(1)
            }
        }
    }

    /// A report format given as the console's is pointed to `--report`.
    static func consoleStyle(_ value: String) throws -> ConsoleFormatter.Style {
        if let style = ConsoleFormatter.Style(rawValue: value) { return style }
        let kind = value.split(separator: ":", maxSplits: 1).first.map(String.init) ?? value
        let report =
            ["html", "junit", "message", "json", "rerun"].contains(kind)
            ? "; reports are written with --report \(kind):PATH" : ""
        throw ValidationError("--format \(value): the console format is pretty, progress or summary\(report)")
    }

    /// `@FILE` arguments replaced by the locations in the file (whitespace-separated, as the rerun report
    /// writes them); how many such files there were.
    static func expandRerunFiles(_ paths: [String]) throws -> ([String], Int) {
        var out: [String] = [], files = 0
        for p in paths {
            guard p.hasPrefix("@"), p.count > 1 else { out.append(p); continue }
            files += 1
            let file = String(p.dropFirst())
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                StandardOutput.error("kafka-bdd: \(file): cannot read the rerun file")
                throw ExitCode(2)
            }
            out += text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }).map(String.init)
        }
        return (out, files)
    }
}

extension Run {
    /// The scenario durations of an earlier run's message stream; an unreadable one is a usage error.
    static func readTimings(_ path: String) throws -> [String: Double] {
        ScenarioTimings.read(try StreamFile.envelopes(path, unreadable: "--timings \(path): cannot read the file"))
    }

    /// On Ctrl-C or SIGTERM the reports so far are written before the process ends (130 or 143), whatever
    /// phase the run is in (at most 60 s); a second signal ends it at once. Cancelled, the signals' default
    /// action is back (the run has written its own reports by then).
    static func writeReportsOnInterrupt(_ session: Session) -> [DispatchSourceSignal] {
        let signals = Atomic<Int>(0)
        return [SIGINT, SIGTERM].map { signo in
            signal(signo, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signo, queue: .global())
            source.setEventHandler {
                guard signals.add(1, ordering: .sequentiallyConsistent).oldValue == 0 else {
                    _exit(128 + signo)
                }
                StandardOutput.error("kafka-bdd: interrupted; writing the reports so far (again to stop at once)")
                // The handler returns at once: a source delivers its next signal only after its handler ended.
                // Large reports take seconds (50,000 scenarios: 7 s in a debug build); a second signal ends it.
                Thread.detachNewThread {
                    if let cases = try? session.interrupt(signal: signo) {
                        StandardOutput.error("kafka-bdd: the reports hold \(cases) scenario\(cases == 1 ? "" : "s")")
                    }
                    _exit(128 + signo)
                }
                DispatchQueue.global().asyncAfter(deadline: .now() + .seconds(60)) {
                    StandardOutput.error("kafka-bdd: the reports were not written within 60 s")
                    _exit(128 + signo)
                }
            }
            source.setCancelHandler { signal(signo, SIG_DFL) }
            source.resume()
            return source
        }
    }
}

extension ConsoleFormatter.Style: ExpressibleByArgument {}
