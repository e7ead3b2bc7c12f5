import ArgumentParser
import Foundation
import Messages
import Reporting
import Session

/// `kafka-bdd merge`: the message streams of one run's shards (`run --shard I/N`) as one run's reports.
struct Merge: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Merge the message streams of a run's shards into one run's reports.",
        discussion: """
            Each STREAM is the --report message: file of one `kafka-bdd run --shard I/N` job; every shard of \
            the run must be given, each once. Exit status: 0 when the merged run passed, 1 when a scenario \
            failed, 2 when the streams do not belong together (other features or steps, a shard given twice \
            or unfinished) or a file cannot be read or written.
            """
    )

    @Argument(help: "The shards' message streams (NDJSON).")
    var streams: [String]

    @Option(
        name: .customLong("report"),
        help: "FORMAT:PATH with FORMAT html, junit, message, json or rerun (repeatable).")
    var reports: [String] = []

    @Option(help: "The HTML report's title.")
    var title = "KafkaBDD report"

    func validate() throws {
        guard !streams.isEmpty else { throw ValidationError("give the shards' message streams to merge") }
        guard !reports.isEmpty else { throw ValidationError("give at least one --report FORMAT:PATH to write") }
        for r in reports where Session.Report(r) == nil {
            throw ValidationError("--report \(r): \(Session.Report.usage)")
        }
    }

    func run() throws {
        var inputs: [(name: String, envelopes: [Envelope])] = []
        for path in streams {
            inputs.append((path, try StreamFile.envelopes(path, unreadable: "cannot read \(path)")))
        }
        let merged: [Envelope]
        do { merged = try StreamMerge.merge(inputs) } catch {
            StandardOutput.error("kafka-bdd: cannot merge: \(error.description)")
            throw ExitCode(2)
        }
        var query = RunQuery()
        for e in merged { query.update(e) }
        var configuration = Session.Configuration()
        configuration.reports = reports.compactMap(Session.Report.init)
        configuration.title = title
        var files = Session.rendered(query, configuration)
        for report in configuration.reports where report.kind == .message {
            files.append((report.path, merged.map(\.ndjsonLine).joined()))
        }
        do { try Session.write(files) } catch {
            StandardOutput.error("kafka-bdd: \(error.description)")
            throw ExitCode(2)
        }
        let cases = query.testCasesStarted.count
        let failed = query.testCasesStarted.filter { query.status(startedId: $0.id) > .skipped }.count
        StandardOutput.write("merged \(inputs.count) streams: \(cases) scenarios, \(failed) not passed\n")
        if query.testRunFinished?.success == false { throw ExitCode(1) }
    }
}
