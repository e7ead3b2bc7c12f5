import Foundation

/// Blocking librdkafka calls (poll, flush, commit, metadata) run here, never on the Swift
/// concurrency pool, whose few threads must stay free. Each call gets a thread of its own rather than
/// a worker of Dispatch's shared pool: the calls block for up to seconds (a consumer poll waits for
/// records), and with many at once — several scenarios in one test process — Dispatch on Linux adds
/// workers only slowly, so queued calls stalled for many seconds behind blocked ones.
public enum Blocking {
    public static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                do { continuation.resume(returning: try body()) } catch { continuation.resume(throwing: error) }
            }
            thread.name = "kafka-bdd blocking call"
            thread.start()
        }
    }
}
