import KafkaClient

/// A fault that was asked for but does not show on the cluster: the drill is void, never a pass.
public struct FaultNotObserved: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

// Faults confirmed on the wire. A backend's kill, restart or latency call is only a request; these
// look at the broker from outside any client (an ApiVersions probe) until the effect shows, within
// a deadline, and fail when it does not — so a backend whose fault is a no-op makes every drill fail.
extension Cluster {
    /// Where a broker listens: from the cluster's metadata (a backend that knows better overrides it).
    public func brokerAddress(_ id: Int32) async throws -> (host: String, port: Int)? {
        try await metadata(topic: nil).brokers.first { $0.id == id }.map { ($0.host, Int($0.port)) }
    }

    /// One ApiVersions round trip to the broker, from outside any client.
    public func probe(broker id: Int32, timeout: Duration = .seconds(2)) async throws -> BrokerProbe.Outcome {
        guard let (host, port) = try await brokerAddress(id) else {
            return .unreachable("not in the cluster's metadata")
        }
        return await BrokerProbe.apiVersions(host: host, port: port, timeout: timeout)
    }

    /// Kills a broker and waits until it stops answering, then (while another broker serves) until
    /// no partition names it leader any more, within `failoverDeadline`; returns how long that took.
    @discardableResult
    public func kill(broker id: Int32, within limit: Duration = .seconds(10)) async throws -> Duration {
        let clock = ContinuousClock()
        try await killBroker(id)
        // The deadline counts from the kill's return: on a busy machine the request itself can take long,
        // and the broker is probed at least once whatever the request took.
        let start = clock.now
        try await awaitSilent(broker: id, since: start, within: limit, after: "killed")
        return clock.now - start
    }

    /// Probes the broker until it stops answering, then (where the suite does not play the controller) until
    /// no partition names it leader.
    private func awaitSilent(
        broker id: Int32, since start: ContinuousClock.Instant, within limit: Duration,
        after what: String
    ) async throws {
        var last = BrokerProbe.Outcome.silent
        repeat {
            last = try await probe(broker: id, timeout: .milliseconds(500))
            if !last.answered {
                // The embedded cluster's controller is the suite itself: leadership moved inside its call.
                if backend != "embedded" { try await awaitLeadershipMoved(from: id) }
                return
            }
            try await Task.sleep(for: .milliseconds(50))  // polling interval of the deadline loop
        } while ContinuousClock.now - start < limit
        throw FaultNotObserved("broker \(id) was \(what) but still \(last) \(limit.seconds) s later")
    }

    /// Stops a broker gracefully (controlled shutdown) and waits until it stops answering, then until no
    /// partition names it leader (at once after a controlled shutdown); returns how long that took.
    @discardableResult
    public func stop(broker id: Int32, within: Duration? = nil) async throws -> Duration {
        // The mock stops within its second of NOT_LEADER; `docker compose stop` waits up to 60 s for the JVM.
        let limit = within ?? (backend == "embedded" ? .seconds(10) : .seconds(70))
        let clock = ContinuousClock()
        let start = clock.now
        try await stopBroker(id)
        try await awaitSilent(broker: id, since: start, within: limit, after: "stopped")
        return clock.now - start
    }

    /// Partitions (of `topic`, or of every topic) that the metadata says `broker` leads.
    public func partitionsLed(by broker: Int32, topic: String? = nil) async throws -> [String] {
        try await metadata(topic: topic).topics.flatMap { t in
            t.partitions.filter { $0.leader == broker }.map { "\(t.name)[\($0.id)]" }
        }
    }

    /// Polls the metadata until no partition names `broker` leader, within `failoverDeadline`: a real
    /// controller moves leadership only once the dead broker's session expires. With no other broker
    /// serving there is nobody to ask, and nothing to wait for.
    public func awaitLeadershipMoved(from broker: Int32, topic: String? = nil) async throws {
        let deadline = ContinuousClock.now + failoverDeadline
        var led: [String] = []
        repeat {
            let others = try await configuredBrokers().filter { $0 != broker }
            var anyoneServes = false
            for other in others {
                if try await probe(broker: other, timeout: .seconds(1)).answered { anyoneServes = true; break }
            }
            guard anyoneServes else { return }
            // Right after a kill a metadata request may meet the dead broker's connection: ask again.
            do {
                led = try await partitionsLed(by: broker, topic: topic)
                if led.isEmpty { return }
            } catch {
                led = ["(no metadata: \(error))"]
            }
            try await Task.sleep(for: .milliseconds(200))  // polling interval of the deadline loop
        } while ContinuousClock.now < deadline
        throw FaultNotObserved(
            "broker \(broker) is dead but after \(failoverDeadline.seconds) s (the controller's "
                + "broker session timeout and a margin) it still leads "
                + led.prefix(10).joined(separator: ", "))
    }

    /// Polls until the broker answers ApiVersions and the metadata lists it, within `limit`.
    public func awaitBack(broker id: Int32, within limit: Duration) async throws {
        let clock = ContinuousClock()
        let start = clock.now
        var last = "did not answer"
        while clock.now - start < limit {
            let outcome = try await probe(broker: id, timeout: .seconds(1))
            if outcome.answered {
                let listed = try await metadata(topic: nil).brokers.map(\.id)
                if listed.contains(id) { return }
                last = "answers but is missing from the metadata (brokers \(listed.sorted()))"
            } else {
                last = "\(outcome)"
            }
            try await Task.sleep(for: .milliseconds(100))  // polling interval of the deadline loop
        }
        throw FaultNotObserved("broker \(id) was restarted but after \(limit.seconds) s it \(last)")
    }

    /// Partitions that have `broker` as a replica but not in their in-sync replica set.
    public func partitionsOutOfSync(_ broker: Int32) async throws -> [String] {
        try await metadata(topic: nil).topics.flatMap { t in
            t.partitions.filter { $0.replicas.contains(broker) && !$0.isr.contains(broker) }
                .map { "\(t.name)[\($0.id)]" }
        }
    }

    /// Polls the metadata until `broker` is back in the ISR of every partition it replicates, within `limit`.
    public func awaitInSync(broker: Int32, within limit: Duration) async throws {
        let deadline = ContinuousClock.now + limit
        var lagging: [String] = []
        repeat {
            lagging = try await partitionsOutOfSync(broker)
            if lagging.isEmpty { return }
            try await Task.sleep(for: .milliseconds(250))  // polling interval of the deadline loop
        } while ContinuousClock.now < deadline
        throw FaultNotObserved(
            "broker \(broker) is back but after \(limit.seconds) s not in the ISR of "
                + "\(lagging.count) partitions, e.g. \(lagging.prefix(5).joined(separator: ", "))")
    }

    /// Restarts a broker and waits until it answers again (ApiVersions, and listed in the metadata
    /// a live broker returns); returns how long that took.
    @discardableResult
    public func restart(broker id: Int32, within: Duration? = nil) async throws -> Duration {
        // A JVM broker takes seconds to come back; the in-process mock, milliseconds. Below the step
        // time limit (60 s), so that this message, not the runner's, says what happened.
        let limit = within ?? (backend == "embedded" ? .seconds(10) : .seconds(45))
        let clock = ContinuousClock()
        let start = clock.now
        try await restartBroker(id)
        try await awaitBack(broker: id, within: limit)
        return clock.now - start
    }

    /// Slows a broker and measures the round trip before and after: the added latency must show.
    @discardableResult
    public func slow(broker id: Int32, by latency: Duration) async throws -> (before: Duration, after: Duration) {
        let before = try await probe(broker: id)
        try await setLatency(broker: id, latency)
        let after = try await probe(broker: id, timeout: latency * 2 + .seconds(2))
        guard let b = before.roundTrip, let a = after.roundTrip else {
            throw FaultNotObserved(
                "broker \(id) did not answer a probe around the latency change (before: \(before), after: \(after))")
        }
        // A round trip is at least the injected delay; 90 % of it allows for clock granularity.
        guard a >= latency * 0.9 else {
            throw FaultNotObserved(
                "broker \(id) was slowed by \(latency.milliseconds) ms but answers in \(a.milliseconds) ms")
        }
        return (b, a)
    }
}

extension Duration {
    var seconds: Int64 { components.seconds }
}
