import ArgumentParser
import Foundation
import Messages

/// A message stream file (`--report message:`) read whole; a file that cannot be read, or a line that is
/// not an envelope, is a usage error (exit 2) naming the file and line.
enum StreamFile {
    static func envelopes(_ path: String, unreadable: String) throws -> [Envelope] {
        guard let data = FileManager.default.contents(atPath: path) else {
            StandardOutput.error("kafka-bdd: \(unreadable)")
            throw ExitCode(2)
        }
        var envelopes: [Envelope] = []
        do {
            try EnvelopeDecoder().decode(stream: data) { envelopes.append($0) }
        } catch let error as MessageStreamError {
            StandardOutput.error("kafka-bdd: \(path):\(error.line): not a message envelope: \(error.reason)")
            throw ExitCode(2)
        }
        return envelopes
    }
}
