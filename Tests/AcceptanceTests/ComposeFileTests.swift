import Cluster
import Launching
import Foundation
import Gherkin
import KafkaClient
import Steps
import Testing
import Drills

/// docker-compose.yml, compose/security.yml and the Makefile read as text (no Docker engine here): the
/// desk check's defects 4, 6, 8, 9, 10, 13, 14 and 15 each stay fixed.
@Suite("Compose file and Makefile", .serialized)
struct ComposeFileTests {
    static let root = AcceptanceSuite.packageRoot
    static func read(_ path: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
    }

    /// A service's block: from `  name:` to the next line indented by two.
    static func service(_ name: String, in text: String) -> String? {
        guard let start = text.range(of: "\n  \(name):") else { return nil }
        let rest = text[start.upperBound...]
        let end = rest.range(of: #"\n  [A-Za-z0-9_-]+:"#, options: .regularExpression)?.lowerBound ?? rest.endIndex
        return String(rest[..<end])
    }

    /// The health check's command for a port, as the container's shell gets it (compose turns `$$` into `$`).
    static func healthCommand(port: Int) throws -> String {
        let lines = try read("docker-compose.yml").split(separator: "\n").map(String.init)
        let first = try #require(lines.firstIndex { $0.contains("/dev/tcp/127.0.0.1/\(port)") })
        return (lines[first] + " " + lines[first + 1]).trimmingCharacters(in: .whitespaces)
            .replacingOccurrences(of: "$$", with: "$")
    }

    static func sh(_ command: String) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        process.standardError = FileHandle.nullDevice
        guard (try? ChildProcess.launch(process)) != nil else { return -1 }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// Defect 6: the brokers' and controllers' checks start no JVM; the bytes they send are an ApiVersions
    /// request a Kafka broker answers (the mock's here), and a refused port fails them.
    @Test func theHealthCheckIsAnApiVersionsExchangeWithoutAJVM() async throws {
        let text = try Self.read("docker-compose.yml")
        #expect(!text.contains("kafka-broker-api-versions.sh") && !text.contains("kafka-metadata-quorum.sh"))
        let mock = try EmbeddedCluster(brokers: 1)
        let port = try #require(mock.bootstrapServers.split(separator: ",").first?.split(separator: ":").last)
        for own in [19092, 9093] {
            let command = try Self.healthCommand(port: own)
            #expect(Self.sh(command.replacingOccurrences(of: "/\(own)", with: "/\(port)")) == 0, "\(command)")
            #expect(Self.sh(command.replacingOccurrences(of: "/\(own)", with: "/1")) != 0)
        }
        await mock.shutdown()
    }

    /// Defect 8: no host port is published twice by files that run together, and the Swift defaults name them.
    @Test func noHostPortIsPublishedTwice() throws {
        var owners: [String: [String]] = [:]
        for file in ["docker-compose.yml", "compose/security.yml"] {
            for m in try Self.read(file).matches(of: #/- "(\d+):\d+"/#) {
                owners[String(m.1), default: []].append(file)
            }
        }
        #expect(owners.filter { $0.value.count > 1 }.isEmpty, "\(owners.filter { $0.value.count > 1 })")
        let security = try Self.read("compose/security.yml"), compose = try Self.read("docker-compose.yml")
        let secure = ComposeCluster.Extras.Security(certificates: "")
        for address in secure.saslBootstrap.split(separator: ",") {
            #expect(security.contains("SECURED://\(address)"), "\(address) is not a SECURED listener")
        }
        for address in ComposeCluster.westBootstrap.split(separator: ",") {
            #expect(compose.contains("EXTERNAL://\(address)"), "\(address) is not a west listener")
        }
    }

    /// Defect 4: `make up-mirror` starts west only; MirrorMaker 2 has its own profile and target.
    @Test func mirrorMakerIsNotStartedWithTheSuitesMirrorProfile() throws {
        let block = try #require(Self.service("mirror-maker", in: try Self.read("docker-compose.yml")))
        #expect(block.contains("profiles: [\"mm2\"]") && !block.contains("\"mirror\""))
        let makefile = try Self.read("Makefile")
        #expect(makefile.contains("up-mirror: compose-v2\n\tdocker compose -f docker-compose.yml --profile mirror up"))
        #expect(makefile.contains("up-mm2:"))
    }

    /// Defects 9 and 10: every service `make up --wait` waits for says when it is ready; Connect and
    /// MirrorMaker 2 wait for healthy brokers and come back when they exit.
    @Test func everyServiceHasAHealthCheckAndTheWorkersWaitAndRestart() throws {
        let text = try Self.read("docker-compose.yml")
        for name in ["toxiproxy", "west-toxiproxy"] {
            let block = try #require(Self.service(name, in: text))
            #expect(block.contains("test: [\"CMD\", \"/toxiproxy-cli\", \"inspect\""), "\(name): exec form")
        }
        for name in ["connect", "mirror-maker"] {
            let block = try #require(Self.service(name, in: text))
            #expect(block.contains("restart: on-failure"), "\(name)")
            #expect(block.contains("*after-brokers"), "\(name) waits for healthy brokers")
        }
        #expect(text.contains("kafka-1: {condition: service_healthy}"))
        #expect(try #require(Self.service("connect", in: text)).contains("http://127.0.0.1:8083/connectors"))
    }

    /// Defect 14: `down` names every profile, so nothing of `up-mirror` or `up-mm2` stays running.
    @Test func downStopsEveryProfile() throws {
        let profiles = Set(try Self.read("docker-compose.yml").matches(of: #/profiles: \["([a-z0-9-]+)"\]/#)
            .map { String($0.1) })
        #expect(profiles == ["mirror", "mm2"])
        let makefile = try Self.read("Makefile")
        for profile in profiles {
            #expect(makefile.contains("PROFILES := ") && makefile.contains("--profile \(profile)"))
        }
        #expect(makefile.contains("down: compose-v2\n\tdocker compose -f docker-compose.yml $(PROFILES) down -v"))
    }

    /// Defect 15: without Compose v2, `make up` says what to install and runs nothing else.
    @Test func makeUpWithoutComposeV2SaysWhatToInstall() async throws {
        let fake = try FakeDocker()
        defer { fake.remove() }
        var runner = fake.runner
        runner.timeout = .seconds(20)
        let error = await #expect(throws: KafkaError.self) {
            _ = try await runner.run(["make", "-s", "-C", Self.root.path, "up"], input: nil)
        }
        #expect(error?.description.contains("Compose v2 plugin") == true, "\(String(describing: error))")
        #expect(fake.commands == ["compose version"])
    }

    /// Defect 13: a step's own deadline fits in the step limit, so the drill's verdict, not the runner's
    /// timeout, ends it.
    @Test func everyWithinFitsTheStepLimit() throws {
        let limit = try KafkaEnvironment(backend: .embedded).stepTimeout
        var over: [String] = []
        for path in try FeatureFile.discover([Self.root.appendingPathComponent("Features").path]) {
            for pickle in try FeatureFile.load(path: path).pickles {
                for step in pickle.steps {
                    for m in step.text.matches(of: #/within (\d+) seconds/#)
                    where Int(m.1).map({ .seconds($0) > limit - .seconds(10) }) == true {
                        over.append("\(pickle.uri): \(step.text)")
                    }
                }
            }
        }
        #expect(over.isEmpty, "a wait longer than the \(limit) step limit less 10 s:\n\(over.joined(separator: "\n"))")
    }
}
