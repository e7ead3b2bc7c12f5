import Foundation
import KafkaClient

/// Topic creation through a folder, for a cluster that has no CreateTopics API: librdkafka's mock
/// cluster creates topics only in its own process. `kafka-bdd cluster up --topic-requests DIR` serves
/// the requests; `--cluster external` makes them when KAFKA_BDD_TOPIC_REQUESTS=DIR.
/// A request is `NAME.request` holding `PARTITIONS REPLICATION`; the answer `NAME.done` or `NAME.error`.
public enum TopicRequests {
    static func validName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 249 && name != "." && name != ".."
            && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }
    }

    /// Asks the server watching `directory` for the topic and waits for its answer, within `limit`.
    public static func request(_ spec: TopicSpec, in directory: String, within limit: Duration = .seconds(10))
        async throws
    {
        guard validName(spec.name) else { throw KafkaError(code: 17, detail: "invalid topic name \(spec.name)") }
        let dir = URL(fileURLWithPath: directory)
        let request = dir.appendingPathComponent(spec.name + ".request")
        let done = dir.appendingPathComponent(spec.name + ".done")
        let failed = dir.appendingPathComponent(spec.name + ".error")
        let staging = dir.appendingPathComponent(".\(spec.name).\(UUID().uuidString)")
        try "\(spec.partitions) \(spec.replicationFactor)\n".write(to: staging, atomically: false, encoding: .utf8)
        try FileManager.default.moveItem(at: staging, to: request)  // whole, or not at all
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if FileManager.default.fileExists(atPath: done.path) {
                try? FileManager.default.removeItem(at: done)
                return
            }
            if let reason = try? String(contentsOf: failed, encoding: .utf8) {
                try? FileManager.default.removeItem(at: failed)
                throw KafkaError.invalidArgument("topic \(spec.name) not created: \(reason)")
            }
            try await Task.sleep(for: .milliseconds(20))  // polling interval of the deadline loop
        }
        try? FileManager.default.removeItem(at: request)
        throw KafkaError.timedOut(
            "topic \(spec.name): nothing answered the request in \(directory) within "
                + "\(limit.seconds) s (is `kafka-bdd cluster up --topic-requests \(directory)` running?)")
    }

    /// Serves the requests that are in `directory` now: creates each topic and answers. Returns what it did.
    public static func serve(_ directory: String, _ create: (TopicSpec) async throws -> Void) async -> [String] {
        let dir = URL(fileURLWithPath: directory)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        var served: [String] = []
        for file in names.sorted() where file.hasSuffix(".request") {
            let name = String(file.dropLast(".request".count))
            let request = dir.appendingPathComponent(file)
            let text = (try? String(contentsOf: request, encoding: .utf8)) ?? ""
            try? FileManager.default.removeItem(at: request)
            let numbers = text.split(whereSeparator: \.isWhitespace).compactMap { Int32($0) }
            do {
                guard numbers.count == 2, validName(name) else { throw KafkaError.invalidArgument("bad request") }
                try await create(TopicSpec(name: name, partitions: numbers[0], replicationFactor: numbers[1]))
                try "".write(to: dir.appendingPathComponent(name + ".done"), atomically: true, encoding: .utf8)
                served.append("created \(name) (\(numbers[0]) partitions, replication factor \(numbers[1]))")
            } catch {
                let answer = dir.appendingPathComponent(name + ".error")
                try? "\(error)".write(to: answer, atomically: true, encoding: .utf8)
                served.append("refused \(name): \(error)")
            }
        }
        return served
    }
}
