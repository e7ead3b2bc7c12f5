import Drills
import Foundation
import Testing

/// The monitor behind "inconclusive": it must see the harness held up when it is, or a starved run
/// would be judged as if the machine were quiet.
@Suite("The harness's scheduling delay is measured")
struct HarnessDelayTests {
    @Test func aBlockedConcurrencyPoolShowsAsDelay() async {
        let (_, delay) = await HarnessDelay.during {
            // Every pool thread blocked for 300 ms, as a synchronous call on the pool would.
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<max(2, ProcessInfo.processInfo.activeProcessorCount) {
                    group.addTask { usleep(300_000) }
                }
            }
            try? await Task.sleep(for: .milliseconds(50))
        }
        #expect(delay.max >= 200, "the monitor missed a 300 ms stall of the pool: \(delay.description)")
    }

    // How little a quiet wait shows depends on what else the test process runs: only that it samples.
    @Test func aWaitIsSampled() async {
        let (_, delay) = await HarnessDelay.during { try? await Task.sleep(for: .milliseconds(300)) }
        #expect(delay.samples.count >= 10, "\(delay.description)")
    }
}
