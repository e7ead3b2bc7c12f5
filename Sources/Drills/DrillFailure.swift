/// A drill that could not run or gather its history. The runner reports any thrown error as `"\(error)"`,
/// so the message is the whole of what a failed step says.
public struct DrillFailure: Error, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
