import Foundation
import Reporting

/// Unbuffered writes to the standard streams; callers batch their output themselves.
enum StandardOutput {
    static func write(_ bytes: [UInt8]) { FileHandle.standardOutput.write(Data(bytes)) }

    static func write(_ text: String) { FileHandle.standardOutput.write(Data(text.utf8)) }

    static func error(_ text: String) {
        fflush(nil)  // every C stream: what `print` buffered comes first: a refusal follows the plan it refers to
        let safe = TerminalText.safe(text)
        FileHandle.standardError.write(Data((safe.hasSuffix("\n") ? safe : safe + "\n").utf8))
    }
}

/// Every `print` of the CLI (admin tables and plans, cluster and mirror output): what a cluster or a file
/// put in a string reaches the terminal made safe. Machine formats (NDJSON, JSON, reports) are written
/// with `StandardOutput.write`, unchanged.
func print(_ items: Any..., separator: String = " ", terminator: String = "\n") {
    let text = items.map { "\($0)" }.joined(separator: separator)
    Swift.print(TerminalText.safe(text), terminator: terminator)
}
