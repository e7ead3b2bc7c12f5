import Foundation
@testable import KafkaClient
import Testing
import TestSupport

/// One place decides a client's librdkafka log level.
@Suite("Client log level")
struct ClientLogLevelTests {
    @Test func theEnvironmentDecidesAndAPropertyStaysWithoutIt() {
        #expect(ClientLog.apply(nil, to: [:])["log_level"] == "2")
        #expect(ClientLog.apply(nil, to: ["log_level": "6"])["log_level"] == "6")
        #expect(ClientLog.apply(.debug, to: ["log_level": "0"])["log_level"] == "7")
        #expect(ClientLog.apply(.debug, to: [:])["debug"] == nil)
        #expect(ClientLog.apply(.warning, to: [:])["log_level"] == "4")
        #expect(ClientLog.apply(.trace, to: [:])["debug"] == "broker,protocol,security")
        #expect(ClientLog.apply(.trace, to: ["debug": "cgrp"])["debug"] == "cgrp")
    }

    /// No client configuration in Sources sets its own log level again (they forced 0, hiding every line).
    @Test func noSourceSetsAClientLogLevel() throws {
        let sources = Paths.packageRoot.appendingPathComponent("Sources")
        let files = FileManager.default.enumerator(atPath: sources.path)?.compactMap { $0 as? String } ?? []
        var found: [String] = []
        for file in files where file.hasSuffix(".swift") && !file.hasSuffix("ClientLog.swift") {
            let text = try String(contentsOf: sources.appendingPathComponent(file), encoding: .utf8)
            if text.contains("\"log_level\"") { found.append(file) }
        }
        #expect(found.isEmpty, "\(found)")
    }
}
