import Foundation

/// Unbuffered writes to the standard streams; callers batch their output themselves.
enum StandardOutput {
    static func write(_ bytes: [UInt8]) { FileHandle.standardOutput.write(Data(bytes)) }

    static func write(_ text: String) { FileHandle.standardOutput.write(Data(text.utf8)) }

    static func error(_ text: String) {
        fflush(nil) // every C stream: what `print` buffered comes first: a refusal follows the plan it refers to
        FileHandle.standardError.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
    }
}
