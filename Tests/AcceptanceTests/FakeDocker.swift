import Cluster
import Foundation
import KafkaClient
import Synchronization

/// A fake `docker` for ComposeCluster's contract: a script, first on PATH of the commands it is given,
/// that records every command and keeps the state of docker-compose.yml's containers and of
/// toxiproxy's toxics in files, answering as docker compose and a non-terminal toxiproxy-cli do.
final class FakeDocker: Sendable {
    let directory: URL
    var state: URL { directory.appendingPathComponent("state") }
    var runner: ProcessRunner {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return ProcessRunner(timeout: .seconds(20), environment: ["PATH": directory.path + ":" + path,
                                                                   "FAKE_DOCKER_STATE": state.path])
    }

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("fake-docker-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: state.appendingPathComponent("containers"),
                                                withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: state.appendingPathComponent("toxics"),
                                                withIntermediateDirectories: true)
        let script = directory.appendingPathComponent("docker")
        try Self.script.write(to: script, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path)
    }

    func remove() { try? FileManager.default.removeItem(at: directory) }

    /// Every command, as `compose kill -s SIGKILL kafka-2` (the `-f FILE` left out).
    var commands: [String] {
        let log = (try? String(contentsOf: state.appendingPathComponent("commands.log"), encoding: .utf8)) ?? ""
        return log.split(separator: "\n").map { line in
            var words = line.split(separator: " ").map(String.init)
            if words.count > 3, words[1] == "-f" { words.removeSubrange(1...2) }
            return words.joined(separator: " ")
        }
    }

    /// What the commands run in containers read from stdin, each after a line `== SERVICE COMMAND…`.
    var stdin: String { (try? String(contentsOf: state.appendingPathComponent("stdin.log"), encoding: .utf8)) ?? "" }

    /// A script that answers `docker compose exec` in services other than toxiproxy: called with the
    /// service and the command, its output and status are the command's.
    func answerExec(_ script: String) throws {
        let file = state.appendingPathComponent("exec.sh")
        try ("#!/usr/bin/env bash\n" + script).write(to: file, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: file.path)
    }

    func clearLog() { try? FileManager.default.removeItem(at: state.appendingPathComponent("commands.log")) }

    /// Services that are not running.
    var stopped: [String] {
        let dir = state.appendingPathComponent("containers")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.filter {
            (try? String(contentsOf: dir.appendingPathComponent($0), encoding: .utf8))?.hasPrefix("exited") == true
        }.sorted()
    }

    /// Toxics as `proxy/name stream latency`.
    var toxics: [String] {
        let dir = state.appendingPathComponent("toxics")
        let proxies = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return proxies.sorted().flatMap { proxy in
            let folder = dir.appendingPathComponent(proxy).path
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
            return names.sorted().map { name in
                let file = dir.appendingPathComponent("\(proxy)/\(name)")
                let text = (try? String(contentsOf: file, encoding: .utf8)) ?? ""
                return "\(proxy)/\(name) \(text.trimmingCharacters(in: .whitespacesAndNewlines))"
            }
        }
    }

    /// Latency in ms on each broker's proxy, both directions added.
    var latencies: [Int32: Int32] {
        var total: [Int32: Int32] = [:]
        for line in toxics {
            let words = line.split(separator: " ")
            guard words.count == 3, let broker = Int32(words[0].split(separator: "/")[0].dropFirst("kafka-".count)),
                  let ms = Int32(words[2]) else { continue }
            total[broker, default: 0] += ms
        }
        return total
    }

    static let script = #"""
    #!/usr/bin/env bash
    # Fake docker (ComposeCluster's contract tests): records commands, keeps state in files.
    set -u
    state=${FAKE_DOCKER_STATE:?}
    echo "$*" >> "$state/commands.log"
    [ "${1:-}" = compose ] || { echo "fake docker: only 'docker compose' is faked" >&2; exit 2; }
    shift
    [ "${1:-}" = -f ] && shift 2
    cmd=${1:-}; shift
    services="controller-1 controller-2 controller-3 kafka-1 kafka-2 kafka-3 toxiproxy connect"
    running() { [ "$(cat "$state/containers/$1" 2>/dev/null || echo running)" = running ]; }
    known() { case " $services " in *" $1 "*) return 0 ;; esac; echo "no such service: $1" >&2; exit 1; }
    case "$cmd" in
      kill)
        [ "${1:-}" = -s ] && shift 2
        for s in "$@"; do known "$s"; echo exited > "$state/containers/$s"; done ;;
      stop)
        [ "${1:-}" = -t ] && shift 2
        for s in "$@"; do known "$s"; echo exited > "$state/containers/$s"; done ;;
      start)
        for s in "$@"; do known "$s"; echo running > "$state/containers/$s"; done ;;
      ps)
        for s in $services; do running "$s" && echo "$s"; done ;;
      exec)
        [ "${1:-}" = -T ] && shift
        svc=$1; shift
        known "$svc"
        running "$svc" || { echo "service \"$svc\" is not running" >&2; exit 1; }
        # What a command got on stdin (a SCRAM password, a file's lines), and the answers of $state/exec.sh.
        { echo "== $svc $*"; cat; } >> "$state/stdin.log"
        if [ "$svc" != toxiproxy ]; then [ -x "$state/exec.sh" ] && exec "$state/exec.sh" "$svc" "$@"; exit 0; fi
        shift
        sub=${1:-}; shift
        case "$sub" in
          list)
            for p in kafka-1 kafka-2 kafka-3; do
              n=$(ls "$state/toxics/$p" 2>/dev/null | wc -l | tr -d ' ')
              printf '%s\t0.0.0.0:2909%s\t%s:9092\tenabled\t%s\n' "$p" "${p#kafka-}" "$p" "$n"
            done ;;
          inspect)
            for f in "$state/toxics/$1"/*; do
              [ -e "$f" ] || continue
              read -r stream ms < "$f"
              printf '%s\ttype=latency\tstream=%s\ttoxicity=1.00\tattributes=[\tjitter=0\tlatency=%s\t]\n' \
                "$(basename "$f")" "$stream" "$ms"
            done ;;
          toxic)
            action=$1; shift
            name=; stream=downstream; ms=0; proxy=
            while [ $# -gt 0 ]; do
              case "$1" in
                -n) name=$2; shift 2 ;;
                -t) shift 2 ;;
                -u) stream=upstream; shift ;;
                -d) stream=downstream; shift ;;
                -a) ms=${2#latency=}; shift 2 ;;
                *) proxy=$1; shift ;;
              esac
            done
            f="$state/toxics/$proxy/$name"
            case "$action" in
              add)
                [ -e "$f" ] && { echo "Failed to add toxic: toxic already exists" >&2; exit 1; }
                mkdir -p "$state/toxics/$proxy"; echo "$stream $ms" > "$f"
                echo "Added $stream latency toxic '$name' on proxy '$proxy'" ;;
              remove)
                [ -e "$f" ] || { echo "Failed to remove toxic: toxic not found" >&2; exit 1; }
                rm "$f"; echo "Removed toxic '$name' on proxy '$proxy'" ;;
            esac ;;
        esac ;;
      *) echo "fake docker: compose $cmd is not faked" >&2; exit 2 ;;
    esac
    """#
}

/// The fake docker's containers made real enough for probes: after each command, the embedded mock's
/// brokers follow the fake's state — an exited kafka-N is a mock broker down (the suite moving its
/// leaderships, as a controller would: before it stops for `compose stop`, after for `compose kill`), toxics
/// are the broker's round-trip time.
final class MirroredDocker: CommandRunner {
    let fake: FakeDocker
    let mock: EmbeddedCluster
    /// The rules of the proxy in front of the mock, told which brokers are down.
    let rules: KafkaRulesProxy?
    private let down = Mutex<Set<Int32>>([])

    init(_ fake: FakeDocker, _ mock: EmbeddedCluster, rules: KafkaRulesProxy? = nil) {
        self.fake = fake
        self.mock = mock
        self.rules = rules
    }

    func run(_ arguments: [String], input: String?) async throws -> String {
        let output = try await fake.runner.run(arguments, input: input)
        let stopped = Set(fake.stopped.compactMap { $0.hasPrefix("kafka-") ? Int32($0.dropFirst(6)) : nil })
        let was = down.withLock { $0 }
        // `compose stop` is SIGTERM: the broker's controlled shutdown; `compose kill`, a crash.
        let graceful = arguments.contains("stop")
        for broker in stopped.subtracting(was).sorted() {
            if graceful { try await mock.stopBroker(broker) } else { try await mock.killBroker(broker) }
        }
        for broker in was.subtracting(stopped).sorted() { try await mock.restartBroker(broker) }
        down.withLock { $0 = stopped }
        rules?.rules.withLock { $0.down = stopped }
        let latencies = fake.latencies
        for broker in Int32(1)...3 {
            try await mock.setLatency(broker: broker, .milliseconds(latencies[broker] ?? 0))
        }
        return output
    }
}
