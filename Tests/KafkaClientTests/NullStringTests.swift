import Foundation
@testable import KafkaClient
import Testing
import TestSupport

/// librdkafka documents NULL returns for some string calls (the rebalance protocol on error; nullable
/// strings a foreign broker sends for groups and configs): each becomes the caller's fallback, never
/// `String(cString:)` of NULL, which once aborted a whole run at KAF-01's three consumers joining.
@Suite("NULL strings from librdkafka")
struct NullStringTests {
    @Test func aNullStringIsTheFallback() {
        #expect(string(nil, or: "EAGER") == "EAGER")
        "COOPERATIVE".withCString { #expect(string($0, or: "EAGER") == "COOPERATIVE") }
    }

    @Test func noBareCStringConversionOfALibrdkafkaCallIsLeft() throws {
        // rd_kafka_name, rd_kafka_version_str, rd_kafka_err2str/err2name and the mock's bootstraps never
        // return NULL; every other string call goes through string(_:or:) or an optional map.
        let allowed = ["rd_kafka_name(", "rd_kafka_version_str(", "rd_kafka_err2str(", "rd_kafka_err2name(",
                       "rd_kafka_mock_cluster_bootstraps("]
        let folder = Paths.packageRoot.appendingPathComponent("Sources/KafkaClient")
        var bare: [String] = []
        for path in try FileManager.default.contentsOfDirectory(atPath: folder.path) where path.hasSuffix(".swift") {
            let text = try String(contentsOf: folder.appendingPathComponent(path), encoding: .utf8)
            for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
            where line.contains("String(cString: rd_kafka_") && !allowed.contains(where: { line.contains($0) }) {
                bare.append("\(path):\(n + 1)")
            }
        }
        #expect(bare.isEmpty, "String(cString:) of a librdkafka call that may return NULL: \(bare)")
    }
}

/// librdkafka's error codes by name: a bare `-186` says nothing to the next reader.
@Test func noBareLibrdkafkaErrorNumberOutsideKafkaClient() throws {
    let root = Paths.packageRoot.appendingPathComponent("Sources")
    let files = FileManager.default.enumerator(atPath: root.path)?.compactMap { $0 as? String } ?? []
    var bare: [String] = []
    for file in files where file.hasSuffix(".swift") && !file.hasPrefix("KafkaClient/") {
        let text = try String(contentsOf: root.appendingPathComponent(file), encoding: .utf8)
        if text.range(of: #"KafkaError\(code: -\d"#, options: .regularExpression) != nil { bare.append(file) }
    }
    #expect(bare.isEmpty, "use KafkaError.invalidArgument/timedOut/transport/unknownPartition: \(bare)")
}
