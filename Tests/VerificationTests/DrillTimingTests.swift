import Testing
import Verification

/// ducktape's `check_producing`: a fault counts only if it found records in flight, and the producer
/// survived it only if acknowledgements went on after it.
@Suite("Acknowledgements continue after a fault")
struct DrillTimingTests {
    @Test func acknowledgementsAfterAFaultThatFoundRecordsInFlightHold() {
        let t = DrillTiming(sentAtFault: 500, acknowledgedAtFault: 420, pendingAtFault: 80, acknowledgedAfterFault: 1)
        #expect(t.verdict().holds)
    }

    @Test func producingThatStoppedAtTheFaultFails() {
        let t = DrillTiming(sentAtFault: 500, acknowledgedAtFault: 420, pendingAtFault: 80, acknowledgedAfterFault: 0)
        #expect(t.verdict().problems == ["no acknowledgement came after the fault: producing did not go on"])
    }

    @Test func aFaultWithNothingInFlightIsAVoidDrill() {
        let t = DrillTiming(sentAtFault: 500, acknowledgedAtFault: 500, pendingAtFault: 0, acknowledgedAfterFault: 300)
        #expect(t.verdict().problems
            == ["the drill is void: the fault landed with nothing in flight (500 sent, 500 acknowledged)"])
    }

    @Test func aFaultBeforeAnythingWasSentFailsOnBothCounts() {
        let t = DrillTiming(sentAtFault: 0, acknowledgedAtFault: 0, pendingAtFault: 0, acknowledgedAfterFault: 0)
        #expect(t.verdict().problems.count == 2)
    }

    @Test func theTableShowsTheFourCounts() {
        let t = DrillTiming(sentAtFault: 5, acknowledgedAtFault: 3, pendingAtFault: 2, acknowledgedAfterFault: 7)
        #expect(t.table.rows == [["5", "3", "2", "7"]])
    }
}
