import Dispatch

/// Blocking librdkafka calls (poll, flush, commit, metadata) run here, never on the Swift
/// concurrency pool, whose few threads must stay free.
public enum Blocking {
    private static let queue = DispatchQueue(label: "kafka-bdd.blocking", attributes: .concurrent)

    public static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                do { continuation.resume(returning: try body()) } catch { continuation.resume(throwing: error) }
            }
        }
    }
}
