import Cluster
import Drills
import Runtime

enum ConductKey: WorldKey {
    static var defaultValue: Conduct { Conduct() }
}

extension StepContext {
    func record(_ fault: Conduct.Fault) { world.update(ConductKey.self) { _ = $0.faults.insert(fault) } }
    func produced(idempotent: Bool, acknowledging: Bool = true) {
        world.update(ConductKey.self) { $0.produced(idempotent: idempotent, acknowledging: acknowledging) }
    }
    var conduct: Conduct { world[ConductKey.self] }
}

// The fault verbs of the step vocabulary: each applies the fault on the scenario's cluster, confirmed
// on the wire where it can be (Cluster/Faults.swift), and records it in the scenario's conduct.
extension StepContext {
    func kill(broker: Int32) async throws {
        let cluster = try cluster()
        try cluster.require(.brokerFaults)
        record(.brokerKill)
        try await cluster.kill(broker: broker)
    }

    func slow(broker: Int32, by latency: Duration) async throws {
        guard latency >= .zero else { throw StepFailure("a network is slowed by 0 ms or more") }
        let cluster = try cluster()
        try cluster.require(.latency)
        record(.latency)
        let (before, after) = try await cluster.slow(broker: broker, by: latency)
        log("broker \(broker): ApiVersions round trip \(before.milliseconds) ms before, \(after.milliseconds) ms after")
    }

    func injectErrors(_ request: KafkaRequest, _ errors: [String]) async throws {
        let cluster = try cluster()
        try cluster.require(.errorInjection)
        record(.requestErrors)
        try await cluster.injectErrors(request, errors)
    }

    func delayResponses(_ request: KafkaRequest, count: Int, by delay: Duration) async throws {
        let cluster = try cluster()
        try cluster.require(.errorInjection)
        record(.delayedResponses)
        try await cluster.delayResponses(request, count: count, by: delay)
    }
}
