import ArgumentParser
import Foundation
import Messages
import Gherkin
import Expressions
import Runtime
import Reporting
import KafkaClient
import Cluster

/// `kafka-bdd backfill`: process exactly one range of one partition.
struct BackfillCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backfill",
        abstract:
            "Read exactly one range of a partition (from an offset, for a count or to the end) and print one line per "
            + "record.",
        discussion:
            "Each line reads OFFSET<TAB>KEY<TAB>VALUE; the last line reads `backfill: N records, offsets FIRST–LAST`."
    )

    @Option(help: "Bootstrap servers.")
    var bootstrap: String

    @Option(help: "Topic.")
    var topic: String

    @Option(help: "Partition.")
    var partition: Int32

    @Option(help: "First offset to process.")
    var offset: Int64

    @Option(help: "How many records (default: to the end of the log).")
    var count: Int?

    @OptionGroup var client: ClientProperties

    func validate() throws {
        guard partition >= 0 else { throw ValidationError("--partition must not be negative") }
        guard offset >= 0 else { throw ValidationError("--offset must not be negative") }
        if let count, count <= 0 { throw ValidationError("--count must be positive") }
    }

    func run() async throws {
        let config = KafkaConfig(["bootstrap.servers": bootstrap, "group.id": "kafka-bdd-backfill"]).merging(
            KafkaConfig(client.values))
        let range: Backfill.Range
        do {
            range = try await Backfill.read(
                config: config, topic: topic, partition: partition, from: offset, count: count)
        } catch {
            StandardOutput.error("kafka-bdd: \(error)")
            throw ExitCode(1)
        }
        var out = ""
        for r in range.records { out += "\(r.offset)\t\(r.keyString ?? "")\t\(r.valueString)\n" }
        out +=
            "backfill: \(range.records.count) records, offsets "
            + "\(range.first.map(String.init) ?? "-")–\(range.last.map(String.init) ?? "-")\n"
        StandardOutput.write(out)
    }
}
