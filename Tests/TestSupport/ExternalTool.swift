import Foundation
import Launching
import Testing

/// Runs an external checker (python3, xmllint) and returns its exit status and output.
public enum ExternalTool {
    public struct Missing: Error, CustomStringConvertible { public let description: String }

    public static func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = arguments
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try ChildProcess.launch(p)
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return (p.terminationStatus, output)
    }

    /// A Python check; a missing jsonschema module is a known issue, not a failure.
    public static func python(_ arguments: [String]) throws -> (status: Int32, output: String)? {
        let r = try run(["python3"] + arguments)
        if r.output.contains("No module named 'jsonschema'") {
            withKnownIssue("python3 jsonschema is not installed (pip install jsonschema)") { throw Missing(description: r.output) }
            return nil
        }
        return r
    }
}
