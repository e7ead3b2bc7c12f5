import Messages
import Gherkin
import Expressions
import Dispatch
import Synchronization

/// A step or hook that overran its time limit.
public struct TimeLimitExceeded: Error, Sendable, CustomStringConvertible {
    public let limit: Duration
    public let what: String
    /// The deadline the step itself states ("within 90 seconds"), when it states one.
    public var own: Duration?
    public var description: String {
        if let own {
            return "\(what) did not keep its own deadline of \(own.formatted()): it was still running after "
                + "\(limit.formatted()) and was abandoned (the step, not the cluster, is at fault: it must give up at "
                + "its deadline)"
        }
        return "\(what) did not finish within its time limit of \(limit.formatted()); it was abandoned "
            + "(raise the limit with --step-timeout, or make the step poll with a deadline)"
    }
}

/// A deadline a step states in its own words — "within {int} seconds" — read from its argument. The runner
/// gives such a step a limit above it, so the step's own message (what it saw by then) is what a report shows.
public struct StepDeadline: Sendable {
    public let argument: Int
    public let unit: Duration

    public static func seconds(argument: Int) -> StepDeadline { StepDeadline(argument: argument, unit: .seconds(1)) }
    public static func milliseconds(argument: Int) -> StepDeadline {
        StepDeadline(argument: argument, unit: .milliseconds(1))
    }

    func duration(_ arguments: [StepMatchArgument]) -> Duration? {
        guard argument < arguments.count, let n = Int(arguments[argument].text ?? "") else { return nil }
        return unit * n
    }

    /// The limit for a step with this deadline: the run's, or the deadline with time to read back and report.
    static func limit(own: Duration, run: Duration) -> Duration {
        max(run, own + max(.seconds(15), own / 4))
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
    private let state = Mutex<(outcome: Result<Void, any Error>?, waiter: CheckedContinuation<Void, Never>?)>(
        (nil, nil))

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
func withDeadline(
    _ limit: Duration, what: String, own: Duration? = nil,
    _ body: @escaping @Sendable () async throws -> Void
) async throws {
    let race = Race()
    let work = Task {
        do { try await body(); race.finish(.success(())) } catch { race.finish(.failure(error)) }
    }
    // The timer runs on a dispatch queue: a body that blocks its thread (a stuck client call)
    // cannot also hold up the clock that ends it.
    let nanos = limit.components.seconds * 1_000_000_000 + limit.components.attoseconds / 1_000_000_000
    DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(Int(clamping: nanos))) {
        race.finish(.failure(TimeLimitExceeded(limit: limit, what: what, own: own)))
    }
    let result = await race.outcome()
    if case .failure(let error) = result, error is TimeLimitExceeded { work.cancel() }
    try result.get()
}
