import Messages
import Gherkin
import Expressions
import Synchronization

/// A key into the World: a typed slot with a default, declared once by the steps that share it.
///
///     enum Ledger: WorldKey { static var defaultValue: DeliveryLedger { DeliveryLedger() } }
///     ctx.world[Ledger.self].record(...)
public protocol WorldKey {
    associatedtype Value: Sendable
    static var defaultValue: Value { get }
}

/// Per-scenario state shared by the steps and hooks of one pickle; a fresh World for each pickle.
public final class World: Sendable {
    private let storage = Mutex<[ObjectIdentifier: any Sendable]>([:])
    public let pickle: Pickle

    public init(pickle: Pickle) {
        self.pickle = pickle
    }

    public subscript<Key: WorldKey>(_ key: Key.Type) -> Key.Value {
        get {
            storage.withLock { values in
                if let v = values[ObjectIdentifier(key)] as? Key.Value { return v }
                let v = Key.defaultValue
                values[ObjectIdentifier(key)] = v
                return v
            }
        }
        set { storage.withLock { $0[ObjectIdentifier(key)] = newValue } }
    }

    /// Reads and writes a slot atomically.
    public func update<Key: WorldKey, R>(_ key: Key.Type, _ body: (inout Key.Value) throws -> R) rethrows -> R {
        try storage.withLock { values in
            var v = values[ObjectIdentifier(key)] as? Key.Value ?? Key.defaultValue
            defer { values[ObjectIdentifier(key)] = v }
            return try body(&v)
        }
    }

    /// The pickle's tag names.
    public var tags: [String] { pickle.tags.map(\.name) }
}

/// An error that means "this cannot be verified here", not "this failed": the step is SKIPPED with
/// the reason. Any stage's error can adopt it (Steps makes the cluster's `Unsupported` adopt it), so the
/// runner needs to know no backend.
public protocol SkipsStep: Error {
    var skipReason: String { get }
}

/// Thrown by a step or hook to say it cannot run here — a missing backend capability, say.
/// The step is SKIPPED with the reason, and so are the steps after it; the scenario is not a pass.
public struct StepSkipped: SkipsStep, Sendable, CustomStringConvertible {
    public let reason: String?
    public init(_ reason: String? = nil) { self.reason = reason }
    public var description: String { reason ?? "skipped" }
    public var skipReason: String { description }
}

/// Thrown by a step that is not written yet: PENDING.
public struct StepPending: Error, Sendable, CustomStringConvertible {
    public let reason: String?
    public init(_ reason: String? = nil) { self.reason = reason }
    public var description: String { reason ?? "pending" }
}

/// A failed expectation inside a step, with the message a report shows.
public struct StepFailure: Error, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
