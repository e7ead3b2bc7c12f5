/// When a fault landed in a producing drill: how much was sent, acknowledged and still in flight at
/// that moment, and what was acknowledged after it (ducktape's `check_producing`).
public struct DrillTiming: Sendable, Equatable {
    public var sentAtFault: Int
    public var acknowledgedAtFault: Int
    /// Sent but neither acknowledged nor failed when the fault landed.
    public var pendingAtFault: Int
    public var acknowledgedAfterFault: Int

    public init(sentAtFault: Int, acknowledgedAtFault: Int, pendingAtFault: Int, acknowledgedAfterFault: Int) {
        self.sentAtFault = sentAtFault
        self.acknowledgedAtFault = acknowledgedAtFault
        self.pendingAtFault = pendingAtFault
        self.acknowledgedAfterFault = acknowledgedAfterFault
    }

    /// A fault that found nothing in flight tested nothing (the drill is void); a producer whose
    /// acknowledgements stopped at the fault did not survive it.
    public func verdict() -> Verdict {
        var problems: [String] = []
        if pendingAtFault == 0 {
            problems.append(
                "the drill is void: the fault landed with nothing in flight "
                    + "(\(sentAtFault) sent, \(acknowledgedAtFault) acknowledged)")
        }
        if acknowledgedAfterFault == 0 {
            problems.append("no acknowledgement came after the fault: producing did not go on")
        }
        return Verdict(problems)
    }

    public var table: (header: [String], rows: [[String]]) {
        (
            ["sent at fault", "acknowledged at fault", "in flight at fault", "acknowledged after fault"],
            [["\(sentAtFault)", "\(acknowledgedAtFault)", "\(pendingAtFault)", "\(acknowledgedAfterFault)"]]
        )
    }
}
