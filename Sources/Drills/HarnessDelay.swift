import Foundation
import Synchronization
import Verification

/// Measures the harness's own scheduling delay while a drill runs: a thread of its own and a task on
/// the concurrency pool each sleep 5 ms in a loop and record how much longer each sleep took. The
/// thread sees the process starved of CPU; the task also sees the pool's threads all busy.
public final class HarnessDelay: Sendable {
    private let samples = Mutex<[Double]>([])
    private let stopped = Atomic<Bool>(false)
    private static let interval = 0.005

    public init() {}

    /// Runs `body` with the monitor on; returns its result and what the monitor saw.
    public static func during<T>(_ body: () async throws -> T) async rethrows -> (T, SchedulingDelay) {
        let monitor = HarnessDelay()
        monitor.start()
        defer { monitor.stop() }
        let value = try await body()
        return (value, monitor.stop())
    }

    func start() {
        let thread = Thread { [self] in
            while !stopped.load(ordering: .relaxed) {
                let started = ContinuousClock.now
                Thread.sleep(forTimeInterval: Self.interval)
                record(since: started)
            }
        }
        thread.name = "kafka-bdd harness delay"
        thread.start()
        Task.detached { [self] in
            while !stopped.load(ordering: .relaxed) {
                let started = ContinuousClock.now
                try? await Task.sleep(for: .seconds(Self.interval))
                record(since: started)
            }
        }
    }

    private func record(since started: ContinuousClock.Instant) {
        let late = (ContinuousClock.now - started) / .seconds(1) - Self.interval
        samples.withLock { $0.append(max(0, late) * 1000) }
    }

    @discardableResult
    func stop() -> SchedulingDelay {
        stopped.store(true, ordering: .relaxed)
        return SchedulingDelay(samples: samples.withLock { $0 })
    }
}
