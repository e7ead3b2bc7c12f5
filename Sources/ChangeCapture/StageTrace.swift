import Foundation
import Synchronization

/// Per-stage timestamps for the first events of a run, on stderr when KAFKA_BDD_CAPSTONE_TRACE is set:
/// where the time between a source commit and its sink row goes.
public enum StageTrace {
    static let enabled = ProcessInfo.processInfo.environment["KAFKA_BDD_CAPSTONE_TRACE"] != nil
    static let counts = Mutex<[String: Int]>([:])

    public static func mark(_ stage: String, _ detail: @autoclosure () -> String) {
        guard enabled else { return }
        let n = counts.withLock { c -> Int in
            c[stage, default: 0] += 1; return c[stage]!
        }
        guard n <= 15 else { return }
        let ms = Int64(Date().timeIntervalSince1970 * 1000) % 100_000
        FileHandle.standardError.write(Data("trace \(ms) \(stage) \(detail())\n".utf8))
    }
}
