import Cluster
import Verification

/// What a scenario did that decides which claims its cluster could falsify: the faults it applied
/// and how its producers were configured. The steps that do these things record them here.
public struct Conduct: Sendable {
    public enum Fault: String, Sendable, Comparable {
        case brokerKill = "a broker was killed"
        case brokerStop = "a broker was stopped"
        case latency = "latency was added"
        case requestErrors = "requests were failed with injected errors"
        case delayedResponses = "responses were delayed"

        public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
    }

    public init() {}

    public var faults: Set<Fault> = []
    public var idempotentProducers = false
    public var nonIdempotentProducers = false

    /// Some producer waited for acknowledgements (acks=1 or all): what a leader acknowledged, only a
    /// replicated log can lose. A producer with acks=0 takes a record as delivered once sent, so records
    /// dying with a killed broker's connection are lost on any cluster.
    public var acknowledgingProducers = false

    public mutating func produced(idempotent: Bool, acknowledging: Bool = true) {
        if idempotent { idempotentProducers = true } else { nonIdempotentProducers = true }
        if acknowledging { acknowledgingProducers = true }
    }
}

/// A part of what a Then step claims about delivery.
public enum DeliveryClaim: String, Sendable, CaseIterable {
    case noLoss = "no acknowledged record lost"
    case noDuplicates = "no record written twice"
    case partitionOrder = "each partition in send order"

    /// The capability without which this claim could not fail here, given what the scenario did —
    /// or nil when the claim is falsifiable on any cluster.
    public func needs(given conduct: Conduct) -> (capability: ClusterCapability, why: String)? {
        let faulted = !conduct.faults.isEmpty
        switch self {
        case .noLoss:
            if conduct.faults.contains(.brokerKill) || conduct.faults.contains(.brokerStop),
                conduct.acknowledgingProducers
            {
                return (
                    .replication,
                    "a broker was \(conduct.faults.contains(.brokerKill) ? "killed" : "stopped"), and only a "
                        + "replicated log can lose what its leader acknowledged"
                )
            }
            // The idempotent client takes a later batch's success as proof that earlier failed batches
            // were written (implicit acknowledgement); only a broker that checks sequence numbers makes
            // that proof true.
            if conduct.idempotentProducers && faulted {
                return (
                    .idempotentDeduplication,
                    "the idempotent producer may retry after "
                        + conduct.faults.sorted().map(\.rawValue).joined(separator: ", ")
                        + ", and then infers what was written from the broker's sequence checks"
                )
            }
        case .noDuplicates:
            // Without a fault nothing makes the producer retry, so a duplicate would be a real defect.
            if conduct.idempotentProducers && faulted {
                return (
                    .idempotentDeduplication,
                    "the producer is idempotent and "
                        + conduct.faults.sorted().map(\.rawValue).joined(separator: ", ")
                        + ": only the broker's sequence checks remove the duplicates its retries write"
                )
            }
        case .partitionOrder:
            if conduct.idempotentProducers && faulted {
                return (
                    .idempotentDeduplication,
                    "the idempotent producer's order after retries rests on the broker's "
                        + "sequence checks"
                )
            }
        }
        return nil
    }
}

/// Judges a delivery claim made of parts: a part that fails where it could fail fails the step; a
/// part the cluster cannot falsify skips the step, naming the claim and the missing capability,
/// after every falsifiable part held.
public struct ClaimJudgement {
    public struct Part {
        public let claim: DeliveryClaim
        public let failure: String?

        public init(claim: DeliveryClaim, failure: String?) {
            self.claim = claim
            self.failure = failure
        }
    }

    public let parts: [Part]

    public init(parts: [Part]) { self.parts = parts }

    /// The parts a stated guarantee claims, each with what the verdict found against it.
    public init(_ guarantee: DeliveryGuarantee, _ verdict: DeliveryVerdict) {
        var parts: [Part] = []
        if guarantee.claimsNoLoss { parts.append(.init(claim: .noLoss, failure: verdict.lossProblem())) }
        if guarantee.claimsNoDuplicates {
            parts.append(.init(claim: .noDuplicates, failure: verdict.duplicateProblem()))
        }
        if guarantee.claimsOrder { parts.append(.init(claim: .partitionOrder, failure: verdict.orderProblem())) }
        self.parts = parts
    }

    public func judge(on cluster: any Cluster, conduct: Conduct, claim text: String, context: String? = nil) throws {
        var failures: [String] = []
        var unverifiable: [String] = []
        for part in parts {
            if let (capability, why) = part.claim.needs(given: conduct), !cluster.capabilities.contains(capability) {
                unverifiable.append(
                    "\(part.claim.rawValue) needs \(capability.rawValue) (\(why))"
                        + (part.failure.map { "; seen here: \($0)" } ?? ""))
            } else if let failure = part.failure {
                failures.append(failure)
            }
        }
        if !failures.isEmpty {
            throw DrillFailure(failures.joined(separator: "; ") + (context.map { " — \($0)" } ?? ""))
        }
        if !unverifiable.isEmpty {
            let verified = parts.filter { p in
                p.failure == nil
                    && !(p.claim.needs(given: conduct).map { !cluster.capabilities.contains($0.capability) } ?? false)
            }.map(\.claim.rawValue)
            throw CannotRunHere(
                "'\(text)' cannot be falsified on the \(cluster.backend) cluster: "
                    + unverifiable.joined(separator: "; ")
                    + (verified.isEmpty ? "" : " — verified: \(verified.joined(separator: ", "))"))
        }
    }
}
