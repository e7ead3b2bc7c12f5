import Messages
import Gherkin
import Expressions
import Dispatch
import Synchronization

/// A step or hook that overran its time limit.
public struct TimeLimitExceeded: Error, Sendable, CustomStringConvertible {
    public let limit: Duration
    public let what: String
    public var description: String {
        "\(what) did not finish within its time limit of \(limit.formatted()); it was abandoned (raise the limit with --step-timeout, or make the step poll with a deadline)"
    }
}

extension Duration {
    func formatted() -> String {
        let c = components
        let ms = c.seconds * 1000 + c.attoseconds / 1_000_000_000_000_000
        return ms % 1000 == 0 ? "\(ms / 1000) s" : "\(ms) ms"
    }
}

/// The first outcome of a race between a body and its timer, and whoever waits for it.
private final class Race: Sendable {
    private let state = Mutex<(outcome: Result<Void, any Error>?, waiter: CheckedContinuation<Void, Never>?)>((nil, nil))

    func finish(_ result: Result<Void, any Error>) {
        let waiter: CheckedContinuation<Void, Never>? = state.withLock { s in
            guard s.outcome == nil else { return nil }
            s.outcome = result
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume()
    }

    func outcome() async -> Result<Void, any Error> {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let done = state.withLock { s in
                if s.outcome != nil { return true }
                s.waiter = c
                return false
            }
            if done { c.resume() }
        }
        return state.withLock { $0.outcome! }
    }
}

/// Runs `body` but returns as soon as `limit` has passed, whether or not the body has finished:
/// a body stuck in a blocking call cannot hold up the run. The body is cancelled and left to end
/// on its own.
func withDeadline(_ limit: Duration, what: String, _ body: @escaping @Sendable () async throws -> Void) async throws {
    let race = Race()
    let work = Task {
        do { try await body(); race.finish(.success(())) } catch { race.finish(.failure(error)) }
    }
    // The timer runs on a dispatch queue: a body that blocks its thread (a stuck client call)
    // cannot also hold up the clock that ends it.
    let nanos = limit.components.seconds * 1_000_000_000 + limit.components.attoseconds / 1_000_000_000
    DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(Int(clamping: nanos))) {
        race.finish(.failure(TimeLimitExceeded(limit: limit, what: what)))
    }
    let result = await race.outcome()
    if case .failure(let error) = result, error is TimeLimitExceeded { work.cancel() }
    try result.get()
}
