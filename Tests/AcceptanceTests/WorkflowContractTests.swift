import Foundation
import Gherkin
import Expressions
import Runtime
import Steps
import Testing
import Drills

/// The GitHub workflows in ci/github are copied by users and run nowhere here: this reads them as text and
/// checks what a run would meet — a `--require-verified` gate whose chapter holds a scenario that must skip
/// on the job's backend, a job needing a service it never starts, a tool its container image lacks.
@Suite("CI workflows (ci/github)")
struct WorkflowContractTests {
    struct Job {
        var name: String
        var container: String?
        var cards: [String] = []
        var shards: [String] = []
        /// Every `run:` of the job, in order (a `run: |` block joined into one).
        var runs: [String] = []
    }

    static func jobs(_ text: String) -> [Job] {
        var jobs: [Job] = []
        var inJobs = false, inBlock = false, folded = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line == "jobs:" { inJobs = true; continue }
            guard inJobs else { continue }
            if let m = line.wholeMatch(of: #/ {2}([A-Za-z0-9_-]+):\s*/#) {
                jobs.append(Job(name: String(m.1)))
                continue
            }
            guard !jobs.isEmpty else { continue }
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if inBlock, line.hasPrefix("          ") {
                jobs[jobs.count - 1].runs[jobs[jobs.count - 1].runs.count - 1] += (folded ? " " : "\n") + trimmed
                continue
            }
            inBlock = false
            if let m = trimmed.wholeMatch(of: /container:\s*(\S+)/) { jobs[jobs.count - 1].container = String(m.1) }
            if let m = trimmed.wholeMatch(of: /card:\s*\[(.*)\]/) {
                jobs[jobs.count - 1].cards = m.1.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            }
            if let m = trimmed.wholeMatch(of: /shard:\s*\[(.*)\]/) {
                jobs[jobs.count - 1].shards = m.1.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            }
            if let m = trimmed.firstMatch(of: /^(?:- )?run:\s*(.*)$/) {
                jobs[jobs.count - 1].runs.append(String(m.1))
                inBlock = ["|", ">", ">-"].contains(m.1)
                folded = m.1.hasPrefix(">")
            }
        }
        return jobs
    }

    /// `--name VALUE` or `--name "VALUE"` in a command line.
    static func option(_ name: String, in command: String) -> String? {
        guard let m = command.firstMatch(of: try! Regex("--\(name)\\s+(\"[^\"]*\"|\\S+)")) else { return nil }
        return String(m.output[1].substring ?? "").trimmingCharacters(in: CharacterSet(charactersIn: "\""))
    }

    static let root = AcceptanceSuite.packageRoot
    static var workflows: [(String, String)] {
        get throws {
            let dir = root.appendingPathComponent("ci/github")
            return try FileManager.default.contentsOfDirectory(atPath: dir.path)
                .filter { $0.hasSuffix(".yml") }.sorted()
                .map { ($0, try String(contentsOf: dir.appendingPathComponent($0), encoding: .utf8)) }
        }
    }

    /// Every problem of the workflows, as `file job: what`.
    static func problems(_ workflows: [(String, String)]) throws -> [String] {
        let support = Steps.supportCode(environment: try KafkaEnvironment(backend: .embedded))
        let embeddedOnly = support.stepDefinitions.filter { ($0.doc ?? "").contains("embedded cluster only") }
        let features = try FeatureFile.discover([root.appendingPathComponent("Features").path])
            .map { try FeatureFile.load(path: $0) }
        let gateNeeds = try String(contentsOf: root.appendingPathComponent("ci/gate-chapter.sh"), encoding: .utf8)
            .split(separator: "\n").first { $0.hasPrefix("# Needs:") } ?? ""
        var found: [String] = []
        for (_, text) in workflows {
            // A sharded run: its matrix is 1…N, and the merge job merges N streams (kafka-bdd merge refuses fewer).
            var shardCount: Int?
            for job in jobs(text) {
                for run in job.runs {
                    let shard = /--shard \$\{\{ matrix\.shard \}\}\/(\d+)/
                    guard let m = run.firstMatch(of: shard), let n = Int(m.1) else { continue }
                    shardCount = n
                    if job.shards != (1...max(n, 1)).map(String.init) {
                        found.append("\(job.name): --shard …/\(n) but the matrix runs shards \(job.shards)")
                    }
                }
            }
            for job in jobs(text) {
                for run in job.runs where run.contains("kafka-bdd merge") {
                    let streams = run.split(separator: " ").filter { $0.hasSuffix(".ndjson") && !$0.contains(":") }
                    if let n = shardCount, streams.count != n {
                        found.append("\(job.name): merges \(streams.count) streams of a run split into \(n) shards")
                    }
                }
            }
            for job in jobs(text) {
                let all = job.runs.joined(separator: "\n")
                for run in job.runs where run.contains("gate-chapter.sh") {
                    let backend = option("cluster", in: run) ?? "embedded"
                    let cards = run.contains("matrix.card") ? job.cards : []
                    // As ci/gate-chapter.sh combines them.
                    let narrowed = try option("tags", in: run).map { try TagExpression(parsing: "@KAF-00 and (\($0))") }
                    let extra = try option("tags", in: run).map { try TagExpression(parsing: $0) }
                    _ = narrowed
                    if run.contains("--require-verified"), backend != "embedded" {
                        for card in cards {
                            for file in features {
                                for pickle in file.pickles where pickle.tags.contains(where: { $0.name == "@\(card)" })
                                    && (extra?.evaluate(pickle.tags.map(\.name)) ?? true) {
                                    for step in pickle.steps where embeddedOnly.contains(where: {
                                        $0.expression.match(step.text) != nil }) {
                                        found.append("\(job.name) \(card): --require-verified on \(backend), and "
                                                     + "\"\(pickle.name)\" must skip there (\(step.text))")
                                    }
                                }
                            }
                        }
                    }
                    // Services: the capstone needs PostgreSQL; a compose gate needs the compose cluster up first.
                    let before = all.components(separatedBy: "gate-chapter.sh").first ?? ""
                    if cards.contains("capstone"), !before.contains("postgres.sh start"),
                       !before.contains("make postgres") {
                        found.append("\(job.name) capstone: the gate needs PostgreSQL and the job never starts it")
                    }
                    if backend == "compose", !before.contains("make up") {
                        found.append("\(job.name): --cluster compose and the job never starts the compose cluster")
                    }
                    // Seven JVMs and a debug Swift build do not share a 2-core, 7 GB runner well: build first.
                    if backend == "compose", let up = before.range(of: "make up"),
                       !before[..<up.lowerBound].contains("build") {
                        found.append("\(job.name): builds the suite only after make up started the cluster")
                    }
                    if backend == "compose", cards.contains("KAF-10"), !before.contains("make up-mirror") {
                        found.append("\(job.name) KAF-10: needs the mirror profile (make up-mirror)")
                    }
                    // Tools: the official swift images carry no python3 (swift-docker's 6.x noble Dockerfile).
                    if gateNeeds.contains("python3"), job.container?.hasPrefix("swift:") == true,
                       !(before.contains("install") && before.contains("python3")) {
                        found.append("\(job.name): gate-chapter.sh needs python3, which \(job.container!) may lack "
                                     + "(swift-docker's noble images) and the job never installs")
                    }
                }
            }
        }
        return found
    }

    @Test func everyGateCanPassOnTheClusterAndImageItRunsOn() throws {
        let problems = try Self.problems(try Self.workflows)
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
    }

    /// The checks themselves: a workflow with each fault is found out.
    @Test func theChecksFindEachFault() throws {
        let text = """
        jobs:
          chapter:
            strategy:
              matrix:
                card: [KAF-03, capstone]
            container: swift:6.1
            steps:
              - run: apt-get install -y -qq librdkafka-dev
              - run: ci/gate-chapter.sh ${{ matrix.card }} --cluster compose --require-verified
        """
        let jobs = Self.jobs(text)
        #expect(jobs.count == 1 && jobs[0].cards == ["KAF-03", "capstone"] && jobs[0].container == "swift:6.1")
        #expect(Self.option("cluster", in: jobs[0].runs[1]) == "compose")
        #expect(Self.option("tags", in: #"x --tags "not @embedded-only" y"#) == "not @embedded-only")
        let problems = try Self.problems([("w.yml", text)])
        #expect(problems.contains { $0.hasPrefix("chapter KAF-03: --require-verified on compose") }, "\(problems)")
        #expect(problems.contains { $0.contains("PostgreSQL") }, "\(problems)")
        #expect(problems.contains { $0.contains("never starts the compose cluster") }, "\(problems)")
        let up = "      - run: make up\n      - run: ci/gate-chapter.sh"
        let gate = "      - run: ci/gate-chapter.sh"
        let late = try Self.problems([("w.yml", text.replacingOccurrences(of: gate, with: up))])
        #expect(late.contains { $0.contains("only after make up") }, "\(late)")
        let early = try Self.problems([("w.yml", text.replacingOccurrences(
            of: gate, with: "      - run: make -s build\n" + up))])
        #expect(!early.contains { $0.contains("only after make up") }, "\(early)")
        #expect(problems.contains { $0.contains("python3") }, "\(problems)")

        let sharded = """
        jobs:
          shard:
            strategy:
              matrix:
                shard: [1, 2, 3]
            steps:
              - run: kafka-bdd run Features --shard ${{ matrix.shard }}/4 --report message:s.ndjson
          merge:
            steps:
              - run: kafka-bdd merge s1.ndjson s2.ndjson s3.ndjson --report junit:reports/junit.xml
        """
        let shardProblems = try Self.problems([("w.yml", sharded)])
        #expect(shardProblems.contains { $0.contains("--shard …/4 but the matrix runs shards") }, "\(shardProblems)")
        #expect(shardProblems.contains { $0.contains("merges 3 streams of a run split into 4") }, "\(shardProblems)")
    }
}
