import Messages

/// Joins the message streams of a run's shards (`kafka-bdd run --shard I/N`) into the stream of one run.
///
/// Every shard parses the same files with the same steps, so everything up to its testRunStarted is the
/// same in each (ids included) and is kept once; what the shards ran carries shard-prefixed ids and is
/// kept whole. A stream that does not fit — other features or steps, ids that collide, a scenario run in
/// two shards, a shard that did not finish — is refused, never merged into a plausible-looking report.
public enum StreamMerge {
    public struct Refused: Error, CustomStringConvertible {
        public let description: String
    }

    public static func merge(_ streams: [(name: String, envelopes: [Envelope])]) throws(Refused) -> [Envelope] {
        guard let base = streams.first else { throw Refused(description: "no stream to merge") }
        var shared: [Envelope] = []
        var baseKeys: [String: String] = [:]
        var runStartedId: String?
        var started: [Timestamp] = []
        for (name, envelopes) in streams {
            var keys: [String: String] = [:]
            var sawStart = false, sawFinish = false
            for e in envelopes {
                if case .testRunStarted(let id, let timestamp) = e {
                    if runStartedId == nil { runStartedId = id }
                    guard id == runStartedId else {
                        throw Refused(
                            description: "\(name) is not a shard of the same run as \(base.name) "
                                + "(run ids \(id) and \(runStartedId ?? "")): \(hint)")
                    }
                    started.append(timestamp)
                    sawStart = true
                    continue
                }
                if case .testRunFinished = e { sawFinish = true }
                guard !sawStart else { continue }
                if name == base.name { shared.append(e) }
                if let key = sharedKey(e) { keys[key.id] = key.value }
            }
            guard sawStart else { throw Refused(description: "\(name) holds no testRunStarted: not a run's stream") }
            guard sawFinish else {
                throw Refused(description: "\(name) holds no testRunFinished: that shard did not finish")
            }
            if name == base.name { baseKeys = keys; continue }
            if let differing = keys.keys.sorted().first(where: { keys[$0] != baseKeys[$0] })
                ?? baseKeys.keys.sorted().first(where: { keys[$0] == nil })
            {
                throw Refused(
                    description: "\(name) and \(base.name) did not run the same features and steps "
                        + "(\(differing): \(baseKeys[differing] ?? "absent") in one, \(keys[differing] ?? "absent") "
                        + "in the other): \(hint)")
            }
        }
        var ran: [String: String] = [:]  // pickle id → the stream that ran it
        var runtimeIds: [String: String] = [:]
        var body: [Envelope] = []
        var success = true
        var messages: [String] = []
        var exception: ExceptionInfo?
        var finished: [Timestamp] = []
        for (name, envelopes) in streams {
            var afterStart = false
            for e in envelopes {
                switch e {
                case .testRunStarted: afterStart = true
                case .testRunFinished(_, let ok, let message, let ex, let timestamp):
                    success = success && ok
                    if let message { messages.append("\(name): \(message)") }
                    exception = exception ?? ex
                    finished.append(timestamp)
                case .testCase(let t) where afterStart:
                    if let other = ran[t.pickleId] {
                        throw Refused(
                            description: "the scenario of pickle \(t.pickleId) ran in both \(other) and "
                                + "\(name): give each job its own --shard I/N")
                    }
                    ran[t.pickleId] = name
                    for id in [t.id] + t.testSteps.map(\.id) {
                        if let other = runtimeIds.updateValue(name, forKey: id) {
                            throw Refused(
                                description: "id \(id) is in both \(other) and \(name): were they run "
                                    + "with --shard I/N? \(hint)")
                        }
                    }
                    body.append(e)
                default:
                    if afterStart { body.append(e) }
                }
            }
        }
        // Each shard's ids name it ("shard2of4-…"): every one of the N must be here, each once.
        var shards: [String: Set<String>] = [:]  // "of N" → the streams that name a shard of N
        for (id, name) in runtimeIds {
            guard id.hasPrefix("shard"), let of = id.range(of: "of"), let dash = id.range(of: "-") else { continue }
            shards[String(id[of.upperBound..<dash.lowerBound]), default: []].insert(name)
        }
        if shards.count > 1 {
            throw Refused(
                description: "the streams come from runs split into different numbers of shards "
                    + "(\(shards.keys.sorted().joined(separator: " and "))): \(hint)")
        }
        if let (count, _) = shards.first, let n = Int(count), n != streams.count {
            throw Refused(
                description: "the run was split into \(n) shards and \(streams.count) streams were "
                    + "given: merge every shard's stream, each once")
        }
        let id = runStartedId ?? ""
        let first = started.min { RunQuery.millis($0) < RunQuery.millis($1) } ?? .now()
        let last = finished.max { RunQuery.millis($0) < RunQuery.millis($1) } ?? .now()
        return shared + [.testRunStarted(id: id, timestamp: first)] + body
            + [
                .testRunFinished(
                    testRunStartedId: id, success: success,
                    message: messages.isEmpty ? nil : messages.joined(separator: "\n"),
                    exception: exception, timestamp: last)
            ]
    }

    static let hint =
        "merge the streams of one run's shards, each made by the same kafka-bdd with the same "
        + "paths and filters and its own --shard I/N"

    /// What must agree between shards, keyed by id (or uri): the files, the pickles, the definitions.
    static func sharedKey(_ e: Envelope) -> (id: String, value: String)? {
        switch e {
        case .meta: nil
        case .source(let s): ("source \(s.uri)", "\(s.data.count) characters, hash \(stableHash(s.data))")
        case .pickle(let p): ("pickle \(p.id)", "\(p.uri):\(p.location.line) \(p.name)")
        case .stepDefinition(let d): ("step definition \(d.id)", d.source)
        case .hook(let h): ("hook \(h.id)", "\(h.type.map { "\($0)" } ?? "") \(h.name ?? "")")
        case .parameterType(let t): ("parameter type \(t.id)", t.name)
        case .gherkinDocument(let d): ("document \(d.uri ?? "")", "\(d.uri ?? "")")
        case .parseError(let p): ("parse error \(p.uri)", p.error.message)
        default: nil
        }
    }

    static func stableHash(_ s: String) -> UInt64 {
        s.utf8.reduce(14_695_981_039_346_656_037 as UInt64) { ($0 ^ UInt64($1)) &* 1_099_511_628_211 }
    }
}
