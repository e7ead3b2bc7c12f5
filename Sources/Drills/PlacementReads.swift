import Cluster
import Foundation
import KafkaClient
import Verification

/// Where a topic's partitions are, as the cluster reports it now: the evidence of the KAF-01/KAF-05
/// placement, leadership and creation claims (Verification's `Placement` judges it).
public enum PlacementReads {
    /// A topic's partitions as the cluster reports them, and every broker it has or is meant to have
    /// (a killed broker stays in replica lists while the metadata leaves it out).
    public static func placement(_ cluster: any Cluster, _ topic: String)
        async throws -> ([Plausibility.Partition], [Int32])
    {
        let md = try await cluster.metadata(topic: topic)
        let configured = (try? await cluster.configuredBrokers()) ?? []
        let known = Set(md.brokers.map(\.id)).union(configured).sorted()
        let partitions = (md.topic(topic)?.partitions ?? []).map {
            Plausibility.Partition(id: $0.id, leader: $0.leader, replicas: $0.replicas, isr: $0.isr)
        }
        return (partitions, known)
    }

    /// Creates a topic and reads it back until the cluster reports it as asked, or ten seconds pass (a
    /// cluster that answers late gets a few seconds to show it); returns the verdict and what was reported.
    public static func create(_ spec: TopicSpec, as name: String, on cluster: any Cluster)
        async throws -> (verdict: Verdict, reported: [Plausibility.Partition])
    {
        try await cluster.createTopic(spec)
        let models = cluster.capabilities.contains(.replication)
        let deadline = ContinuousClock.now + .seconds(10)
        var verdict: Verdict
        var reported: [Plausibility.Partition] = []
        repeat {
            let (current, known) = try await placement(cluster, spec.name)
            reported = current
            verdict = Placement.created(
                topic: name, partitions: Int(spec.partitions),
                replicationFactor: Int(spec.replicationFactor),
                reported: reported, brokers: known, modelsReplication: models)
            if verdict.holds { break }
            try await Task.sleep(for: .milliseconds(200))  // polling interval of the deadline loop
        } while ContinuousClock.now < deadline
        return (verdict, reported)
    }

    /// Leadership moved away from `broker`: the metadata polled until it names another leader for every
    /// partition (within the failover deadline), then each of those leaders probed. Two verdicts, in order.
    public static func awaitNoneLedBy(_ broker: Int32, topic: String, on cluster: any Cluster)
        async throws -> [Verdict]
    {
        let deadline = ContinuousClock.now + cluster.failoverDeadline
        var partitions: [Plausibility.Partition] = []
        var brokers: [Int32] = []
        repeat {
            (partitions, brokers) = try await placement(cluster, topic)
            let verdict = Placement.noneLedBy(broker, topic: topic, partitions: partitions, brokers: brokers)
            if verdict.holds || !brokers.contains(broker) { break }
            try await Task.sleep(for: .milliseconds(200))  // polling interval of the deadline loop
        } while ContinuousClock.now < deadline
        let moved = Placement.noneLedBy(
            broker, topic: topic, partitions: partitions, brokers: brokers,
            waited: cluster.failoverDeadline.components.seconds)
        guard moved.holds else { return [moved] }
        var probes: [Placement.Probe] = []
        for leader in Set(partitions.map(\.leader)).sorted() {
            let probe = try await cluster.probe(broker: leader)
            probes.append(Placement.Probe(broker: leader, answered: probe.answered, summary: "\(probe)"))
        }
        return [moved, Placement.leadersServing(topic: topic, probes: probes)]
    }
}
