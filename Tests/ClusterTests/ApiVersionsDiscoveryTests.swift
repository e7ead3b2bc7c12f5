import Foundation
@testable import KafkaClient
@testable import Cluster
import Synchronization
import Testing
import TestSupport

/// An external cluster's capabilities come from its brokers' ApiVersions answers: the parser of the v0
/// answer (bounds-checked against truncated and hostile bytes), the map from request types to
/// capabilities, and the skip reason that names the missing request.
@Suite struct ApiVersionsDiscoveryTests {
    static let id = BrokerProbe.correlationId

    /// Tansu 0.6.0's answer to this probe, byte for byte (36 request types; no 33, 37, 43, 45).
    static let tansu: [UInt8] = hex(
        "000000e26b626464000000000024002a0000000200000000000b004b00000000000e00000005000900000009002000000004"
            + "000f00000005000b00000009001c0000000400030000000c000a00000006004700000000003300000000002400000002"
            + "000800000009004500000000001200000004001800000005001600000005001900000004000100000011001300000007"
            + "001500000002001000000005002e00000000001400000006001100000001002c00000001001d00000003001a00000004"
            + "003c00000001001e00000003000200000009000c00000004000d00000005003200000000")

    static func hex(_ s: String) -> [UInt8] { Hex.bytes(s) }

    /// A v0 answer as a broker frames it: size, correlation id, error code, the counted triples.
    static func answer(_ keys: [Int16], error: Int16 = 0, count: Int32? = nil, correlation: Int32 = id) -> [UInt8] {
        var body: [UInt8] = []
        func i16(_ v: Int16) { body += [UInt8(truncatingIfNeeded: v >> 8), UInt8(truncatingIfNeeded: v)] }
        func i32(_ v: Int32) { (0..<4).reversed().forEach { body.append(UInt8(truncatingIfNeeded: v >> ($0 * 8))) } }
        i32(correlation)
        i16(error)
        i32(count ?? Int32(keys.count))
        for k in keys { i16(k); i16(0); i16(3) }
        let size = Int32(body.count)
        return (0..<4).reversed().map { UInt8(truncatingIfNeeded: size >> ($0 * 8)) } + body
    }

    /// Every request type a Kafka 3.x broker lists that this harness maps.
    static let kafka: [Int16] = Array(0...50)

    @Test func tansusAnswerParsesToItsRequestTypes() throws {
        let ranges = try BrokerProbe.parseApiVersionsV0(Self.tansu, correlationId: Self.id)
        #expect(ranges.count == 36)
        #expect(ranges.first == BrokerProbe.ApiVersionRange(key: 42, minVersion: 0, maxVersion: 2))
        #expect(ranges.contains(BrokerProbe.ApiVersionRange(key: 3, minVersion: 0, maxVersion: 12)))
        let keys = Set(ranges.map(\.key))
        #expect(!keys.contains(37) && !keys.contains(33) && keys.contains(44) && keys.contains(21))
    }

    @Test func aHandMadeAnswerParsesKeyByKey() throws {
        let ranges = try BrokerProbe.parseApiVersionsV0(Self.answer([19, 20, 37]), correlationId: Self.id)
        #expect(ranges.map(\.key) == [19, 20, 37])
        #expect(ranges.allSatisfy { $0.minVersion == 0 && $0.maxVersion == 3 })
        #expect(try BrokerProbe.parseApiVersionsV0(Self.answer([]), correlationId: Self.id).isEmpty)
    }

    @Test func missingRequestTypesMapToTheirCapabilities() throws {
        let tansu = Set(try BrokerProbe.parseApiVersionsV0(Self.tansu, correlationId: Self.id).map(\.key))
        let missing = ApiCapabilities.missing(supported: tansu)
        #expect(Set(missing.keys) == [.partitionIncrease, .topicConfigs, .reassignment, .leaderElection])
        #expect(missing[.partitionIncrease]?.map(\.key) == [37])
        #expect(missing[.topicConfigs]?.map(\.name) == ["AlterConfigs"])

        #expect(ApiCapabilities.missing(supported: Set(Self.kafka)).isEmpty)
        let without37 = try BrokerProbe.parseApiVersionsV0(
            Self.answer(Self.kafka.filter { $0 != 37 }), correlationId: Self.id)
        #expect(Set(ApiCapabilities.missing(supported: Set(without37.map(\.key))).keys) == [.partitionIncrease])

        let expectations: [(Int16, Set<ClusterCapability>)] = [
            (19, [.admin]), (20, [.admin]), (32, [.topicConfigs]), (33, [.topicConfigs]), (21, [.deleteRecords]),
            (22, [.transactions, .transactionIsolation, .transactionalOffsets, .idempotentDeduplication, .fencing]),
            (24, [.transactions, .transactionIsolation, .transactionalOffsets]),
            (26, [.transactions, .transactionIsolation, .transactionalOffsets]),
            (28, [.transactionalOffsets]), (11, [.consumerGroups]), (43, [.leaderElection]), (45, [.reassignment]),
            (44, []),
        ]
        for (key, capabilities) in expectations {
            let got = Set(ApiCapabilities.missing(supported: Set(Self.kafka.filter { $0 != key })).keys)
            #expect(got == capabilities, "without API key \(key)")
        }
    }

    @Test func aRequestTypeOnlySomeBrokersListIsNotReliedOn() {
        let a = [19, 20, 37].map { BrokerProbe.ApiVersionRange(key: $0, minVersion: 0, maxVersion: 1) }
        let b = [19, 20].map { BrokerProbe.ApiVersionRange(key: $0, minVersion: 0, maxVersion: 1) }
        #expect(ApiCapabilities.common([a, b]) == [19, 20])
        #expect(ApiCapabilities.common([a]) == [19, 20, 37])
        #expect(ApiCapabilities.common([]).isEmpty)
    }

    @Test func everyTruncationOfAnAnswerIsAnErrorNotACrash() {
        for n in 0..<Self.tansu.count {
            #expect(throws: BrokerProbe.ApiVersionsAnswerError.self, "first \(n) bytes") {
                try BrokerProbe.parseApiVersionsV0(Array(Self.tansu.prefix(n)), correlationId: Self.id)
            }
        }
    }

    @Test func hostileAnswersAreErrors() {
        func parse(_ bytes: [UInt8]) throws(BrokerProbe.ApiVersionsAnswerError) {
            _ = try BrokerProbe.parseApiVersionsV0(bytes, correlationId: Self.id)
        }
        // The array claims more entries than the frame holds (and than memory would).
        #expect(throws: BrokerProbe.ApiVersionsAnswerError.truncated(needed: 14 + Int(Int32.max) * 6, have: 26)) {
            try parse(Self.answer([19, 20], count: .max))
        }
        #expect(throws: BrokerProbe.ApiVersionsAnswerError.truncated(needed: 32, have: 26)) {
            try parse(Self.answer([19, 20], count: 3))
        }
        #expect(throws: BrokerProbe.ApiVersionsAnswerError.negativeCount(-1)) { try parse(Self.answer([], count: -1)) }
        #expect(throws: BrokerProbe.ApiVersionsAnswerError.brokerError(35)) { try parse(Self.answer([18], error: 35)) }
        #expect(throws: BrokerProbe.ApiVersionsAnswerError.notOurAnswer) {
            try parse(Self.answer([18], correlation: 7))
        }
        #expect(throws: BrokerProbe.ApiVersionsAnswerError.negativeCount(-2)) { try parse([0xFF, 0xFF, 0xFF, 0xFE]) }
        #expect(throws: BrokerProbe.ApiVersionsAnswerError.tooLarge(0x7FFF_FFFF)) {
            try parse([0x7F, 0xFF, 0xFF, 0xFF])
        }
        // A frame shorter than the fixed fields, though the bytes after it would fill them.
        var short = Self.answer([19])
        short[3] = 9
        #expect(throws: BrokerProbe.ApiVersionsAnswerError.truncated(needed: 14, have: 13)) { try parse(short) }
    }

    @Test func randomBytesNeverCrashTheParser() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<5000 {
            var bytes = (0..<Int.random(in: 0...40, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            if bytes.count >= 8, Bool.random(using: &rng) {
                // A plausible header, so the array part is reached too.
                let size = Int32(bytes.count - 4)
                for i in 0..<4 { bytes[i] = UInt8(truncatingIfNeeded: size >> ((3 - i) * 8)) }
                for i in 0..<4 { bytes[4 + i] = UInt8(truncatingIfNeeded: Self.id >> ((3 - i) * 8)) }
            }
            if let ranges = try? BrokerProbe.parseApiVersionsV0(bytes, correlationId: Self.id) {
                #expect(14 + ranges.count * 6 <= bytes.count)
            }
        }
    }

    static func brokers(_ n: Int) -> [BrokerInfo] {
        (1...n).map { BrokerInfo(id: Int32($0), host: "127.0.0.1", port: Int32(9000 + $0)) }
    }

    @Test func anExternalClusterSkipsWhatItsBrokersDoNotList() async throws {
        let cluster = try ExternalCluster(bootstrapServers: "127.0.0.1:1")
        defer { Task { await cluster.shutdown() } }
        #expect(cluster.capabilities.isSuperset(of: [.partitionIncrease, .topicConfigs, .deleteRecords, .admin]))
        await cluster.discoverApis(Self.brokers(2)) { _, port in
            // Broker 2 lacks CreatePartitions: the cluster as a whole cannot add partitions.
            let keys = port == 9002 ? Self.kafka.filter { $0 != 37 } : Self.kafka
            return .success(try! BrokerProbe.parseApiVersionsV0(Self.answer(keys), correlationId: Self.id))
        }
        #expect(!cluster.capabilities.contains(.partitionIncrease))
        #expect(cluster.capabilities.isSuperset(of: [.topicConfigs, .deleteRecords, .admin, .transactions]))
        do {
            try cluster.require(.partitionIncrease)
            Issue.record("require(.partitionIncrease) passed on a cluster without CreatePartitions")
        } catch {
            #expect(error.capability == .partitionIncrease)
            #expect(error.description.contains("CreatePartitions (API key 37)"), "\(error)")
        }
        // Through the scenario's view of the shared cluster too.
        let isolated = IsolatedCluster(cluster, scope: "s1")
        #expect(isolated.unsupportedHint(.partitionIncrease).contains("API key 37"))
    }

    @Test func tansuLosesAddingPartitionsAndTopicConfigsButKeepsTheRest() async throws {
        let cluster = try ExternalCluster(bootstrapServers: "127.0.0.1:1")
        defer { Task { await cluster.shutdown() } }
        await cluster.discoverApis(Self.brokers(1)) { _, _ in
            .success(try! BrokerProbe.parseApiVersionsV0(Self.tansu, correlationId: Self.id))
        }
        let expected = ExternalCluster.kafkaCapabilities.subtracting([.partitionIncrease, .topicConfigs])
        #expect(cluster.capabilities == expected)
        #expect(cluster.unsupportedHint(.topicConfigs).contains("AlterConfigs (API key 33)"))
    }

    @Test func aBrokerThatDoesNotAnswerLeavesTheCapabilitiesAsAssumed() async throws {
        let cluster = try ExternalCluster(bootstrapServers: "127.0.0.1:1")
        defer { Task { await cluster.shutdown() } }
        await cluster.discoverApis(Self.brokers(2)) { _, port in
            port == 9001 ? .success([]) : .failure(BrokerProbe.ProbeFailure(reason: "connected but did not answer"))
        }
        #expect(cluster.capabilities == ExternalCluster.kafkaCapabilities)
        #expect(cluster.missingApis.isEmpty)
    }

    @Test func behindTLSNothingIsProbed() async throws {
        let cluster = try ExternalCluster(
            bootstrapServers: "127.0.0.1:1", clientConfig: KafkaConfig(["security.protocol": "SSL"]))
        defer { Task { await cluster.shutdown() } }
        let probed = Mutex(0)
        await cluster.discoverApis(Self.brokers(1)) { _, _ in
            probed.withLock { $0 += 1 }
            return .success([])
        }
        #expect(probed.withLock { $0 } == 0)
        #expect(cluster.capabilities.contains(.partitionIncrease))
    }

    @Test func theProbeSaysWhyItLearntNothing() async throws {
        // Nothing listens on port 1: the probe says why it learnt nothing, within its limit.
        let result = await BrokerProbe.supportedApis(host: "127.0.0.1", port: 1, timeout: .milliseconds(500))
        guard case .failure(let failure) = result else { Issue.record("learnt APIs from nobody"); return }
        #expect(failure.reason.contains("unreachable"))
    }
}
