import Foundation

/// Where the package and the shared conformance data are, seen from the test sources (Tests/TestSupport).
public enum Paths {
    public static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `../shared` beside the project (the development and CI checkout); absent in a user's clone.
    public static let shared: URL = packageRoot.deletingLastPathComponent().appendingPathComponent("shared")

    public static func sharedFolder(_ relative: String) -> URL? {
        let url = shared.appendingPathComponent(relative)
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && isDirectory.boolValue ? url : nil
    }

    public static let missingShared = "../shared/conformance is absent (it ships with the development checkout, "
        + "not with a user's clone)"
}

/// JSON helpers for comparing message streams with golden files.
public enum JSONLines {
    public static func parse(_ text: String) throws -> [Any] {
        try text.split(separator: "\n", omittingEmptySubsequences: true).map {
            try JSONSerialization.jsonObject(with: Data($0.utf8), options: [.fragmentsAllowed])
        }
    }

    /// Drops the keys that legitimately differ between implementations (ids, uris).
    public static func normalized(_ value: Any, dropping keys: Set<String>) -> Any {
        if let d = value as? [String: Any] {
            var out: [String: Any] = [:]
            for (k, v) in d where !keys.contains(k) { out[k] = normalized(v, dropping: keys) }
            return out
        }
        if let a = value as? [Any] { return a.map { normalized($0, dropping: keys) } }
        return value
    }

    public static func equal(_ a: Any, _ b: Any) -> Bool {
        NSArray(array: [a]).isEqual(NSArray(array: [b]))
    }
}
