/// KAF-14's scaling claim: a second instance of one application took over some of the first's tasks, each
/// with the state the first had built, restored from the changelog. What the first had built is known from
/// the input ledger alone (`StreamOracle.processedPerTask`: the first `held` records of the processing order),
/// not from either instance.
public enum TaskTakeOver {
    public struct Instance: Sendable {
        public var name: String
        /// The tasks it holds at the end.
        public var tasks: Set<Int32>
        /// Distinct changelog entries it restored into each task it took.
        public var restored: [Int32: Int]
        public init(name: String, tasks: Set<Int32>, restored: [Int32: Int]) {
            self.name = name
            self.tasks = tasks
            self.restored = restored
        }
    }

    /// - Parameters:
    ///   - before: per task, the records the first instance had processed when the second joined.
    ///   - tasks: every task of the application (the input partition numbers).
    public static func verdict(first: Instance, joiner: Instance, before: [Int32: Int], tasks: Set<Int32>) -> Verdict {
        var problems: [String] = []
        for i in [first, joiner] where i.tasks.isEmpty {
            problems.append("stream processor \(i.name) holds no task: the work was not shared")
        }
        let both = first.tasks.intersection(joiner.tasks).sorted()
        if !both.isEmpty { problems.append("tasks \(both) are held by both instances") }
        let none = tasks.subtracting(first.tasks).subtracting(joiner.tasks).sorted()
        if !none.isEmpty { problems.append("tasks \(none) are held by neither instance") }
        let unknown = first.tasks.union(joiner.tasks).subtracting(tasks).sorted()
        if !unknown.isEmpty { problems.append("tasks \(unknown) are not input partitions") }
        let moved = joiner.tasks.filter { (before[$0] ?? 0) > 0 }.sorted()
        if let empty = Verdict.noEvidence(moved.count, "tasks with state taken over by \(joiner.name)") {
            problems += empty.problems.map {
                "\($0) (it took tasks \(joiner.tasks.sorted()), on which \(first.name) had processed nothing: hold "
                    + "after more records, so that every task has some)"
            }
        }
        problems += mismatches(joiner, moved, before, processedBy: first.name)
        return Verdict(
            problems,
            context: "\(first.name) holds tasks \(first.tasks.sorted()), \(joiner.name) \(joiner.tasks.sorted()); "
                + "\(moved.count) taken over with state")
    }

    /// After `leaver` left: `survivor` holds every task, and for each task the leaver held it restored as many
    /// distinct changelog entries as the application had processed records of it (`processed`, per task).
    public static func leaveVerdict(
        leaver: String, held: Set<Int32>, survivor: Instance, processed: [Int32: Int], tasks: Set<Int32>
    ) -> Verdict {
        var problems: [String] = []
        let missing = tasks.subtracting(survivor.tasks).sorted()
        if !missing.isEmpty { problems.append("tasks \(missing) are held by no instance after \(leaver) left") }
        let moved = held.filter { (processed[$0] ?? 0) > 0 }.sorted()
        if let empty = Verdict.noEvidence(moved.count, "tasks with state that \(leaver) held") {
            problems += empty.problems
        }
        problems += mismatches(survivor, moved, processed, processedBy: "the application")
        return Verdict(
            problems,
            context: "\(leaver) held tasks \(held.sorted()); \(survivor.name) holds \(survivor.tasks.sorted())")
    }

    /// The tasks whose restored entries differ from the records processed of them.
    private static func mismatches(_ taker: Instance, _ tasks: [Int32], _ expected: [Int32: Int], processedBy: String)
        -> [String]
    {
        tasks.filter { taker.restored[$0] != expected[$0] }.map { t in
            "task \(t): \(taker.name) restored \(taker.restored[t] ?? 0) changelog entries, but \(processedBy) had "
                + "processed \(expected[t] ?? 0) of its records"
        }
    }
}
