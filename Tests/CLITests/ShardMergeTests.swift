import Foundation
import Testing

/// `run --shard I/N` and `merge`: N jobs cover every selected scenario once, and their merged streams
/// give the reports of one run — the same outcome per scenario as a serial run. Streams that do not
/// belong together are refused (exit 2), never merged into a plausible report.
@Suite("kafka-bdd run --shard and merge")
struct ShardMergeTests {
    /// A pass, an undefined step and a skip (RerunAndVerifiedTests' feature), a failure and an outline.
    static let feature = RerunAndVerifiedTests.feature + """

          Scenario: fails
            Given a 3-broker cluster
            And a topic "fixture" with 2 partitions and replication factor 3
            Then the leaders of "fixture" are spread over 3 brokers
          Scenario Outline: passes <n>
            Given a <n>-broker cluster
            Examples:
              | n |
              | 1 |
              | 2 |
        """

    /// Each scenario's line and final status in a message stream, read with Foundation's JSON parser
    /// (not the code under test); a scenario reported twice fails the test.
    static func outcomes(_ path: String) throws -> [String: String] {
        let order = ["PASSED", "SKIPPED", "PENDING", "UNDEFINED", "AMBIGUOUS", "FAILED"]
        var pickles: [String: String] = [:], cases: [String: String] = [:], started: [String: String] = [:]
        var worst: [String: String] = [:], final: [String: String] = [:]
        for line in try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n") {
            let e = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            if let p = e["pickle"] as? [String: Any], let location = p["location"] as? [String: Any] {
                pickles[p["id"] as! String] = "line \(location["line"] as! Int)"
            } else if let t = e["testCase"] as? [String: Any] {
                cases[t["id"] as! String] = t["pickleId"] as? String
            } else if let s = e["testCaseStarted"] as? [String: Any] {
                started[s["id"] as! String] = s["testCaseId"] as? String
            } else if let f = e["testStepFinished"] as? [String: Any], let r = f["testStepResult"] as? [String: Any] {
                let k = f["testCaseStartedId"] as! String, status = r["status"] as! String
                if (order.firstIndex(of: status) ?? 0) >= (order.firstIndex(of: worst[k] ?? "PASSED") ?? 0) {
                    worst[k] = status
                }
            } else if let f = e["testCaseFinished"] as? [String: Any] {
                let k = f["testCaseStartedId"] as! String
                let name = try #require(started[k].flatMap { cases[$0] }.flatMap { pickles[$0] })
                #expect(final[name] == nil, "\(name) reported twice")
                final[name] = worst[k] ?? "PASSED"
            }
        }
        return final
    }

    @Test(CLITests.enabled) func fourShardsMergedGiveTheSerialRunsOutcomes() async throws {
        let path = try CLITests.fixture(Self.feature)
        let dir = URL(fileURLWithPath: path).deletingLastPathComponent()
        func file(_ name: String) -> String { dir.appendingPathComponent(name).path }
        let serial = try await CLITests.run(["run", path, "--format", "summary", "--report",
                                             "message:\(file("serial.ndjson"))"])
        #expect(serial.status == 1)
        var shards: [String] = []
        for i in 1...4 {
            let shard = try await CLITests.run(["run", path, "--shard", "\(i)/4", "--format", "summary",
                                                "--report", "message:\(file("s\(i).ndjson"))"])
            #expect(shard.status <= 1, "\(shard.err)")
            shards.append(file("s\(i).ndjson"))
        }
        let parts = try shards.map(Self.outcomes)
        #expect(parts.map(\.count) == [2, 2, 1, 1], "every 4th scenario from the Ith: 6 scenarios over 4 shards")
        #expect(Set(parts.flatMap(\.keys)).count == 6, "each scenario in one shard")
        let merged = try await CLITests.run(["merge"] + shards + ["--report", "message:\(file("merged.ndjson"))",
                                                                  "--report", "junit:\(file("merged.xml"))"])
        #expect(merged.status == 1, "a scenario failed: \(merged.err)")
        let expected = try Self.outcomes(file("serial.ndjson"))
        #expect(expected.count == 6)
        #expect(try Self.outcomes(file("merged.ndjson")) == expected)
        let junit = try String(contentsOfFile: file("merged.xml"), encoding: .utf8)
        #expect(junit.contains("tests=\"6\" skipped=\"1\" failures=\"2\""), "\(junit.prefix(300))")

        let missing = try await CLITests.run(["merge"] + shards.dropLast() + ["--report", "junit:\(file("x.xml"))"])
        #expect(missing.status == 2)
        #expect(missing.err.contains("split into 4 shards and 3 streams were given"), "\(missing.err)")
        let twice = try await CLITests.run(["merge", shards[0], shards[0], shards[1], shards[2],
                                            "--report", "junit:\(file("x.xml"))"])
        #expect(twice.status == 2)
        #expect(twice.err.contains("ran in both"), "\(twice.err)")
        let unsharded = try await CLITests.run(["merge", file("serial.ndjson"), shards[0],
                                                "--report", "junit:\(file("x.xml"))"])
        #expect(unsharded.status == 2, "\(unsharded.err)")
        #expect(!FileManager.default.fileExists(atPath: file("x.xml")), "nothing written for refused streams")
    }

    @Test(CLITests.enabled) func aMalformedShardArgumentIsRefused() async throws {
        for bad in ["0/4", "5/4", "2", "a/b", "1/0"] {
            let r = try await CLITests.run(["run", "--shard", bad, "x.feature"])
            #expect(r.status != 0 && r.err.contains("expected I/N"), "\(bad): \(r.err)")
        }
    }
}
