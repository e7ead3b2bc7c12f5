import Foundation
import Synchronization

/// Launching a child process and taking a mock broker down exclude each other.
///
/// librdkafka 2.0.2's mock takes a broker down by closing its listening socket and binding the same
/// port again at once (`rdkafka_mock.c`, BROKER_SET_UPDOWN), and aborts the whole process if that bind
/// fails. A child being launched holds a copy of every descriptor of this process from fork to exec, so
/// a listener closed in that window stays listening in the child and the bind fails with "Address
/// already in use" — a test run that starts command-line tools while scenarios kill brokers died of it
/// (twice in CI; a reproduction that spawns `/bin/true` in a loop aborts within seconds).
public enum ChildProcess {
    private static let gate = Mutex(())

    /// Starts `process`; no mock broker goes down until it has been launched (its exec done).
    public static func launch(_ process: Process) throws {
        try gate.withLock { _ in try process.run() }
    }

    /// Runs `body` while no child process is being launched (`MockCluster.setDown`).
    public static func withNoLaunchUnderWay<T>(_ body: () -> T) -> T {
        gate.withLock { _ in body() }
    }
}
