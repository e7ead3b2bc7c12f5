import Drills
import Testing
import Verification

/// A stated guarantee becomes the judgement's parts, each with what the verdict found against it.
@Suite("Claim judgement of a stated guarantee")
struct ClaimJudgementTests {
    /// Four records sent; 2 lost, 3 read twice (at two offsets), 4 read before 1 and 3, at another offset.
    static let verdict = DeliveryVerdict(
        DeliveryHistory(
            sends: (UInt64(1)...4).map {
                .init(id: $0, key: "k", topic: "t", acknowledgement: .acked(partition: 0, offset: Int64($0)))
            },
            reads: [(4, 0), (1, 1), (3, 3), (3, 5)].map {
                .init(id: $0.0, key: "k", topic: "t", partition: 0, offset: $0.1)
            }))

    static func parts(_ g: DeliveryGuarantee) -> [String] {
        ClaimJudgement(g, verdict).parts.map { "\($0.claim.rawValue): \($0.failure ?? "holds")" }
    }

    @Test func eachGuaranteeJudgesOnlyWhatItClaims() {
        #expect(
            Self.parts(.exactlyOnce) == [
                "no acknowledged record lost: 1 acknowledged messages lost, e.g. [2]; "
                    + "1 read at another offset than acknowledged, e.g. [4]",
                "no record written twice: 1 duplicated, e.g. [3]",
                "each partition in send order: 2 out of send order within their partition, e.g. [1, 3]; "
                    + "2 reordered within a key, e.g. [1, 3]",
            ])
        #expect(Self.parts(.atLeastOnce).count == 1 && Self.parts(.atLeastOnce)[0].hasPrefix("no acknowledged"))
        #expect(Self.parts(.atMostOnce) == ["no record written twice: 1 duplicated, e.g. [3]"])
        #expect(Self.parts(.bestEffort).isEmpty)
    }
}

/// Which claims a cluster without a capability could not falsify, given what the scenario did.
@Suite("Falsifiability of delivery claims")
struct DeliveryClaimNeedsTests {
    static func conduct(_ faults: Set<Conduct.Fault>, idempotent: Bool, acknowledging: Bool) -> Conduct {
        var c = Conduct()
        c.faults = faults
        c.produced(idempotent: idempotent, acknowledging: acknowledging)
        return c
    }

    @Test func noLossAfterAKillNeedsReplicationOnlyWhereALeaderAcknowledged() {
        let acked = Self.conduct([.brokerKill], idempotent: false, acknowledging: true)
        #expect(DeliveryClaim.noLoss.needs(given: acked)?.capability == .replication)
        // acks=0: records dying with the killed broker's connection are lost on any cluster.
        #expect(DeliveryClaim.noLoss.needs(given: Self.conduct([.brokerKill], idempotent: false, acknowledging: false))
                == nil)
        #expect(DeliveryClaim.noLoss.needs(given: Self.conduct([.brokerStop], idempotent: false, acknowledging: true))?
                .capability == .replication)
        #expect(DeliveryClaim.noLoss.needs(given: Self.conduct([], idempotent: true, acknowledging: true)) == nil)
        #expect(DeliveryClaim.noDuplicates.needs(given: Self.conduct([.latency], idempotent: true, acknowledging: true))?
                .capability == .idempotentDeduplication)
    }
}
