import Messages
import Gherkin
import Expressions
import Synchronization

/// What a step or hook body receives: its World, matched arguments, the step's doc string or
/// data table, and a way to attach evidence to the report.
public struct StepContext: Sendable {
    public let world: World
    /// The pickle step being run (nil in a hook).
    public let step: PickleStep?
    let arguments: [StepMatchArgument]
    let sink: AttachmentSink

    public var pickle: Pickle { world.pickle }
    public var dataTable: [[String]]? { step?.argument?.dataTable?.rows }
    public var docString: String? { step?.argument?.docString?.content }
    public var argumentCount: Int { arguments.count }

    /// The `index`th argument transformed by its parameter type, as `T`.
    public func argument<T>(_ index: Int, as _: T.Type = T.self) throws -> T {
        guard index < arguments.count else {
            throw StepFailure(
                "step definition asks for argument \(index + 1) but its expression captures \(arguments.count)")
        }
        let value = try arguments[index].value()
        guard let typed = value as? T else {
            throw StepFailure(
                "argument \(index + 1) ({\(arguments[index].parameterType.name)}) is "
                    + "\(value.map { "\(type(of: $0))" } ?? "nil"), not \(T.self)"
            )
        }
        return typed
    }

    static let narrowerIntegers: Set<String> = ["Int32", "Int64"]

    /// The argument as a typed step parameter: an `Int` may be taken as `Int32` or `Int64` if it fits.
    func typedArgument<T>(_ index: Int) throws -> T {
        guard T.self == Int32.self || T.self == Int64.self, let int = try? argument(index, as: Int.self) else {
            return try argument(index)
        }
        let narrowed: Any? = T.self == Int32.self ? Int32(exactly: int) : Int64(exactly: int)
        guard let typed = narrowed as? T else {
            throw StepFailure("argument \(index + 1) (\(int)) does not fit \(T.self)")
        }
        return typed
    }

    public func int(_ index: Int) throws -> Int { try argument(index) }
    public func string(_ index: Int) throws -> String { try argument(index) }
    public func double(_ index: Int) throws -> Double { try argument(index) }

    /// The raw matched text of an argument.
    public func text(_ index: Int) -> String? { index < arguments.count ? arguments[index].text : nil }

    /// Attaches evidence (a table, a chart, a log) to this step in the report.
    public func attach(_ body: String, mediaType: String, fileName: String? = nil) {
        sink.attach(Attachment(body: body, contentEncoding: .identity, mediaType: mediaType, fileName: fileName))
    }

    public func attach(bytes: [UInt8], mediaType: String, fileName: String? = nil) {
        sink.attach(
            Attachment(body: Base64.encode(bytes), contentEncoding: .base64, mediaType: mediaType, fileName: fileName))
    }

    /// A line of text in the report (media type `text/x.cucumber.log+plain`).
    public func log(_ text: String) { attach(text, mediaType: "text/x.cucumber.log+plain") }
}

/// Collects a step's attachments; the runner stamps and emits them.
final class AttachmentSink: Sendable {
    private let pending = Mutex<[Attachment]>([])
    func attach(_ a: Attachment) { pending.withLock { $0.append(a) } }
    func drain() -> [Attachment] {
        pending.withLock { p in
            defer { p.removeAll() }; return p
        }
    }
}

enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i < bytes.count {
            let b0 = bytes[i], b1 = i + 1 < bytes.count ? bytes[i + 1] : 0, b2 = i + 2 < bytes.count ? bytes[i + 2] : 0
            out.append(alphabet[Int(b0 >> 2)])
            out.append(alphabet[Int((b0 & 0x3) << 4 | b1 >> 4)])
            out.append(i + 1 < bytes.count ? alphabet[Int((b1 & 0xF) << 2 | b2 >> 6)] : UInt8(ascii: "="))
            out.append(i + 2 < bytes.count ? alphabet[Int(b2 & 0x3F)] : UInt8(ascii: "="))
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }
}
