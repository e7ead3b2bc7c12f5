import Foundation
import Launching
@testable import KafkaClient
import Synchronization
import Testing
import TestSupport

/// librdkafka 2.0.2's mock aborts the process when a broker goes down while a child process is being
/// launched (`ChildProcess`): twice in CI, `rdkafka_mock.c:2100 … Assertion mrkb->listen_s != -1`.
@Suite("Mock brokers going down while child processes start")
struct ChildProcessLaunchTests {
    final class Launcher: Sendable {
        let stop = Atomic<Bool>(false)
        let launched = Atomic<Int>(0)
        let running = Atomic<Int>(0)

        func start(_ threads: Int) {
            for _ in 0..<threads {
                running.add(1, ordering: .relaxed)
                Thread { [self] in
                    while !stop.load(ordering: .acquiring) {
                        let process = Process()
                        process.executableURL = URL(fileURLWithPath: "/bin/true")
                        guard (try? ChildProcess.launch(process)) != nil else { break }
                        process.waitUntilExit()
                        launched.add(1, ordering: .relaxed)
                    }
                    running.subtract(1, ordering: .releasing)
                }.start()
            }
        }
    }

    static let cycles = 40

    /// Without the exclusion this aborted the test process within a few seconds (the same loop in
    /// Python, spawning `/bin/true` from two threads: 3 of 3 runs aborted, after fewer than 50 cycles).
    @Test func brokersGoDownAndComeBackWhileProcessesAreLaunchedBeside() async throws {
        let cluster = try MockCluster(brokers: 3)
        let launcher = Launcher()
        launcher.start(2)
        // Both sides must run many times for a pass to mean the race was there to lose; on a loaded machine
        // that takes longer, hence a count with a deadline rather than a duration.
        var cycles = 0
        let deadline = ContinuousClock.now + .seconds(120)
        while cycles < Self.cycles || launcher.launched.load(ordering: .relaxed) < Self.cycles,
              ContinuousClock.now < deadline {
            try await cluster.setDown(2)
            try await cluster.setUp(2)
            cycles += 1
        }
        launcher.stop.store(true, ordering: .releasing)
        let stopped = ContinuousClock.now + .seconds(10)
        while launcher.running.load(ordering: .acquiring) > 0, ContinuousClock.now < stopped {
            try await Task.sleep(for: .milliseconds(10))
        }
        await cluster.destroy()
        let launched = launcher.launched.load(ordering: .relaxed)
        #expect(cycles >= Self.cycles, "only \(cycles) down/up cycles in 120 s")
        #expect(launched >= Self.cycles, "only \(launched) processes launched in 120 s")
    }

    /// A launch that bypasses the exclusion brings the abort back.
    @Test func everyChildProcessIsLaunchedThroughTheExclusion() throws {
        var bypassing: [String] = []
        for folder in ["Sources", "Tests"] {
            let root = Paths.packageRoot.appendingPathComponent(folder)
            let files = FileManager.default.enumerator(atPath: root.path)?.compactMap { $0 as? String } ?? []
            for file in files where file.hasSuffix(".swift") {
                let text = try String(contentsOf: root.appendingPathComponent(file), encoding: .utf8)
                let processes = text.matches(of: /(?:let|var) (\w+) = Process\(\)/).map { String($0.1) }
                for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
                where processes.contains(where: { line.contains("\($0).run()") || line.contains("\($0).launch()") }) {
                    bypassing.append("\(folder)/\(file):\(n + 1)")
                }
            }
        }
        #expect(bypassing.isEmpty, "a Process started without ChildProcess.launch: \(bypassing)")
    }
}
