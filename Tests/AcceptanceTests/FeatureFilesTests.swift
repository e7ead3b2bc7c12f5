import Foundation
import Messages
import Gherkin
import Runtime
import Reporting
import KafkaClient
import Cluster
import Verification
import Testing

/// Every feature file users or chapters add under Features/ must parse; a malformed one is
/// reported with its file:line:column.
@Suite("Features/")
struct FeatureFilesTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let files: [String] = (try? FeatureFile.discover([root.appendingPathComponent("Features").path])) ?? []

    @Test("feature file parses", .enabled(if: !files.isEmpty, "no feature files under Features/ yet"), arguments: files)
    func parses(_ path: String) throws {
        let file = try FeatureFile.load(path: path)
        for error in file.errors {
            Issue.record("\(path):\(error.location.line):\(error.location.column ?? 0): \(error.text)")
        }
    }
}
