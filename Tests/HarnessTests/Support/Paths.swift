import Foundation
import Testing

/// Where the package and the shared conformance data are, seen from the test sources.
enum Paths {
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `../shared` beside the project (the development and CI checkout); absent in a user's clone.
    static let shared: URL = packageRoot.deletingLastPathComponent().appendingPathComponent("shared")

    static func sharedFolder(_ relative: String) -> URL? {
        let url = shared.appendingPathComponent(relative)
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && isDirectory.boolValue ? url : nil
    }

    static let missingShared = "../shared/conformance is absent (it ships with the development checkout, not with a user's clone)"
}

/// JSON helpers for comparing message streams with golden files.
enum JSONLines {
    static func parse(_ text: String) throws -> [Any] {
        try text.split(separator: "\n", omittingEmptySubsequences: true).map {
            try JSONSerialization.jsonObject(with: Data($0.utf8), options: [.fragmentsAllowed])
        }
    }

    /// Drops the keys that legitimately differ between implementations (ids, uris).
    static func normalized(_ value: Any, dropping keys: Set<String>) -> Any {
        if let d = value as? [String: Any] {
            var out: [String: Any] = [:]
            for (k, v) in d where !keys.contains(k) { out[k] = normalized(v, dropping: keys) }
            return out
        }
        if let a = value as? [Any] { return a.map { normalized($0, dropping: keys) } }
        return value
    }

    static func equal(_ a: Any, _ b: Any) -> Bool {
        NSArray(array: [a]).isEqual(NSArray(array: [b]))
    }
}

/// Runs an external checker (python3, xmllint) and returns its exit status and output.
enum ExternalTool {
    struct Missing: Error, CustomStringConvertible { let description: String }

    static func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = arguments
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return (p.terminationStatus, output)
    }

    /// A Python check; a missing jsonschema module is a known issue, not a failure.
    static func python(_ arguments: [String]) throws -> (status: Int32, output: String)? {
        let r = try run(["python3"] + arguments)
        if r.output.contains("No module named 'jsonschema'") {
            withKnownIssue("python3 jsonschema is not installed (pip install jsonschema)") { throw Missing(description: r.output) }
            return nil
        }
        return r
    }
}
