import Foundation
@testable import Messages
import Gherkin
import Runtime
import Synchronization
import Testing
import TestSupport

/// NDJSON back into typed envelopes: our own streams byte for byte, other tools' streams without loss
/// of what the reports read (the single lines are in MessagesTests).
@Suite("Envelope decoder")
struct EnvelopeDecoderTests {
    static let gherkin = Paths.sharedFolder("conformance/gherkin")
    static let cck = Paths.sharedFolder("conformance/cck")
    static let junit = Paths.sharedFolder("conformance/junit/cucumber-junit-xml-formatter-testdata")

    static func roundTrip(_ lines: [String]) throws {
        let decoder = EnvelopeDecoder()
        for (i, line) in lines.enumerated() {
            let envelope = try #require(try decoder.decode(line: line, number: i + 1), "line \(i + 1) decodes")
            #expect(envelope.ndjsonLine == line)
        }
    }

    @Test("Gherkin stage: every conformance feature file's sources, ASTs, pickles and errors round-trip",
          .enabled(if: gherkin != nil, Comment(rawValue: Paths.missingShared)))
    func gherkinStreams() throws {
        var count = 0, errors = 0
        for folder in ["good", "bad"] {
            let dir = Self.gherkin!.appendingPathComponent(folder)
            let names = try FileManager.default.contentsOfDirectory(atPath: dir.path)
                .filter { $0.hasSuffix(".feature") || $0.hasSuffix(".feature.md") }
            for name in names.sorted() {
                guard let file = try? FeatureFile.load(path: dir.appendingPathComponent(name).path) else { continue }
                let envelopes = file.envelopes()
                try Self.roundTrip(envelopes.map(\.ndjsonLine))
                count += envelopes.count
                errors += envelopes.count { if case .parseError = $0 { true } else { false } }
            }
        }
        #expect(count > 250 && errors > 10)
    }

    @Test("run stage: the compatibility-kit samples as our Runner reports them round-trip",
          .enabled(if: cck != nil, Comment(rawValue: Paths.missingShared)), arguments: CompatibilityKitTests.samples)
    func runStreams(_ sample: String) async throws {
        let dir = Self.cck!.appendingPathComponent(sample)
        let ids = IdGenerator()
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".feature") }
            .sorted().map { name in
                FeatureFile(uri: "samples/\(sample)/\(name)",
                            source: try String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8), ids: ids)
            }
        let lines = Mutex<[String]>([])
        let runner = Runner(support: ReferenceSteps.support(for: sample), ids: ids) { envelope in
            lines.withLock { $0.append(envelope.ndjsonLine) }
        }
        _ = await runner.run(files)
        try Self.roundTrip(lines.withLock { $0 })
    }

    static var foreignStreams: [String] {
        var paths: [String] = []
        if let cck {
            for sample in (try? FileManager.default.contentsOfDirectory(atPath: cck.path)) ?? [] {
                paths.append(cck.appendingPathComponent(sample).appendingPathComponent("\(sample).ndjson").path)
            }
        }
        if let junit {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: junit.path)) ?? []
            for name in names where name.hasSuffix(".ndjson") {
                paths.append(junit.appendingPathComponent(name).path)
            }
        }
        return paths.filter { FileManager.default.fileExists(atPath: $0) }.sorted()
    }

    @Test("other tools' streams decode, every envelope kind known", arguments: foreignStreams)
    func foreign(_ path: String) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n").filter { !$0.isEmpty }
        let envelopes = try EnvelopeDecoder().decode(stream: data)
        #expect(envelopes.count == lines.count)
        let steps = envelopes.filter { if case .testStepFinished = $0 { true } else { false } }
        #expect(steps.count == lines.count { $0.hasPrefix(#"{"testStepFinished""#) })
    }
}
