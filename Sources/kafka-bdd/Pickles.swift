import ArgumentParser
import Foundation
import Messages
import Gherkin
import Expressions
import Runtime
import Reporting
import KafkaClient
import Cluster

/// `kafka-bdd pickles`: the Gherkin stage on its own, printing Cucumber Messages.
struct Pickles: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Parse feature files and print their pickles (and AST, parse errors) as Cucumber Messages NDJSON.",
        discussion: """
            Exit status: 0 when every file parsed, 2 when any file could not be read or had parse errors \
            (every file is still processed and every error printed).
            """
    )

    @Flag(help: "Also print each file's gherkinDocument envelope.")
    var ast = false

    @Flag(help: "Also print each file's source envelope.")
    var source = false

    @Flag(name: .customLong("no-pickles"), help: "Do not print pickle envelopes.")
    var noPickles = false

    @Flag(
        help: ArgumentHelp(
            "Benchmark: parse and compile every feature file under PATHs, serialise the pickles, and print files, "
                + "pickles, bytes, seconds and MB/s instead of messages.")
    )
    var stats = false

    @Argument(help: "Feature files (.feature, .feature.md), or directories to search for them.")
    var paths: [String]

    func validate() throws {
        if paths.isEmpty { throw ValidationError("give at least one feature file") }
    }

    func run() throws {
        if stats { return try runStats() }
        var failed = false
        var json = JSONWriter(capacity: 1 << 20)
        let ids = IdGenerator()
        let files: [String]
        do { files = try FeatureFile.discover(paths) } catch {
            StandardOutput.error("kafka-bdd: \(error)")
            throw ExitCode(2)
        }
        for path in files {
            let file: FeatureFile
            do {
                file = try FeatureFile.load(path: path, ids: ids)
            } catch {
                StandardOutput.write(json.bytes)
                json.removeAll()
                StandardOutput.error("kafka-bdd: \(error)")
                failed = true
                continue
            }
            let envelopes = file.envelopes(source: source, ast: ast, pickles: !noPickles)
            failed = failed || !file.errors.isEmpty
            for envelope in envelopes {
                envelope.write(to: &json)
                json.newline()
            }
            if json.count > 1 << 20 {
                StandardOutput.write(json.bytes)
                json.removeAll()
            }
        }
        StandardOutput.write(json.bytes)
        if failed { throw ExitCode(2) }
    }

    private func runStats() throws {
        let files: [String]
        do { files = try FeatureFile.discover(paths) } catch {
            StandardOutput.error("kafka-bdd: \(error)")
            throw ExitCode(2)
        }
        let clock = ContinuousClock()
        var json = JSONWriter(capacity: 1 << 20)
        var bytes = 0
        var pickles = 0
        var withErrors = 0
        var output = 0
        let ids = IdGenerator()
        let elapsed = try clock.measure {
            for path in files {
                let file: FeatureFile
                do { file = try FeatureFile.load(path: path, ids: ids) } catch {
                    StandardOutput.error("kafka-bdd: \(error)")
                    throw ExitCode(2)
                }
                bytes += file.source.utf8.count
                pickles += file.pickles.count
                if !file.errors.isEmpty { withErrors += 1 }
                for pickle in file.pickles {
                    Envelope.pickle(pickle).write(to: &json)
                    json.newline()
                }
                output += json.count
                json.removeAll()
            }
        }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let megabytes = Double(bytes) / 1_000_000
        StandardOutput.write(
            String(
                format:
                    "files %d\npickles %d\nfiles-with-errors %d\nbytes %d\noutput-bytes %d\nseconds %.3f\nMB/s %.1f\n",
                files.count, pickles, withErrors, bytes, output, seconds, megabytes / max(seconds, 1e-9)))
    }
}
