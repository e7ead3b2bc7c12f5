import Messages

/// How long each scenario took in an earlier run's message stream, by where it is (`uri:line`), so a
/// parallel run can start the longest first (`run --parallel N --timings FILE`): started in file order,
/// a long scenario near the end keeps one worker busy after the others are done. The last attempt of
/// each counts; a scenario that did not finish (an interrupted run) is left out.
public enum ScenarioTimings {
    public static func key(uri: String, line: Int) -> String { "\(uri):\(line)" }

    public static func read(_ envelopes: [Envelope]) -> [String: Double] {
        var pickles: [String: String] = [:]  // pickle id → key
        var cases: [String: String] = [:]  // test case id → pickle id
        var started: [String: (testCase: String, at: Timestamp)] = [:]
        var out: [String: Double] = [:]
        for e in envelopes {
            switch e {
            case .pickle(let p): pickles[p.id] = key(uri: p.uri, line: p.location.line)
            case .testCase(let t): cases[t.id] = t.pickleId
            case .testCaseStarted(let id, let testCaseId, _, let timestamp): started[id] = (testCaseId, timestamp)
            case .testCaseFinished(let startedId, _, let timestamp):
                guard let s = started[startedId], let pickle = cases[s.testCase], let k = pickles[pickle] else {
                    continue
                }
                out[k] = seconds(timestamp) - seconds(s.at)
            default: continue
            }
        }
        return out
    }

    /// The order to start `items` in: those the timings do not know first (they may be long), then the
    /// known ones longest first; ties keep their given order.
    public static func order<T>(_ items: [T], timings: [String: Double], key: (T) -> String) -> [T] {
        guard !timings.isEmpty else { return items }
        return items.enumerated().sorted { a, b in
            let ta = timings[key(a.element)] ?? .infinity, tb = timings[key(b.element)] ?? .infinity
            return ta != tb ? ta > tb : a.offset < b.offset
        }.map(\.element)
    }

    private static func seconds(_ t: Timestamp) -> Double { Double(t.seconds) + Double(t.nanos) / 1e9 }
}
