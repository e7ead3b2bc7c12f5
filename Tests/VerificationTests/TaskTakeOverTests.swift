import Testing
import Verification

/// KAF-14's scaling claim on hand-made instances, with its negative controls: a joiner that restored less than
/// the first had built, a task held twice or by nobody, and a join before anything was built must fail.
@Suite("Task take-over")
struct TaskTakeOverTests {
    static let tasks: Set<Int32> = [0, 1, 2]
    static let before: [Int32: Int] = [0: 36, 1: 23, 2: 11]
    static let first = TaskTakeOver.Instance(name: "p1", tasks: [0, 1], restored: [0: 0, 1: 0])
    static let joiner = TaskTakeOver.Instance(name: "p2", tasks: [2], restored: [2: 11])

    @Test func aJoinerThatRestoredWhatTheFirstBuiltHolds() {
        #expect(
            TaskTakeOver.verdict(first: Self.first, joiner: Self.joiner, before: Self.before, tasks: Self.tasks).holds)
    }

    @Test func aJoinerThatRestoredLessFails() {
        let forgetful = TaskTakeOver.Instance(name: "p2", tasks: [2], restored: [:])
        #expect(
            TaskTakeOver.verdict(first: Self.first, joiner: forgetful, before: Self.before, tasks: Self.tasks).problems
                == ["task 2: p2 restored 0 changelog entries, but p1 had processed 11 of its records"])
        let partial = TaskTakeOver.Instance(name: "p2", tasks: [2], restored: [2: 10])
        #expect(!TaskTakeOver.verdict(first: Self.first, joiner: partial, before: Self.before, tasks: Self.tasks).holds)
    }

    @Test func tasksHeldTwiceOrByNobodyFail() {
        let greedy = TaskTakeOver.Instance(name: "p2", tasks: [1, 2], restored: [1: 23, 2: 11])
        #expect(
            TaskTakeOver.verdict(first: Self.first, joiner: greedy, before: Self.before, tasks: Self.tasks).problems
                .contains("tasks [1] are held by both instances"))
        let firstShrunk = TaskTakeOver.Instance(name: "p1", tasks: [0], restored: [:])
        #expect(
            TaskTakeOver.verdict(first: firstShrunk, joiner: Self.joiner, before: Self.before, tasks: Self.tasks)
                .problems == ["tasks [1] are held by neither instance"])
        let stranger = TaskTakeOver.Instance(name: "p2", tasks: [2, 7], restored: [2: 11])
        #expect(
            TaskTakeOver.verdict(first: Self.first, joiner: stranger, before: Self.before, tasks: Self.tasks).problems
                .contains("tasks [7] are not input partitions"))
    }

    @Test func anIdleJoinerAndAJoinBeforeAnyWorkAreNoEvidence() {
        let idle = TaskTakeOver.Instance(name: "p2", tasks: [], restored: [:])
        let everything = TaskTakeOver.Instance(name: "p1", tasks: [0, 1, 2], restored: [:])
        let verdict = TaskTakeOver.verdict(first: everything, joiner: idle, before: Self.before, tasks: Self.tasks)
        #expect(verdict.problems.contains("stream processor p2 holds no task: the work was not shared"))
        #expect(
            !TaskTakeOver.verdict(first: Self.first, joiner: Self.joiner, before: [:], tasks: Self.tasks).holds)
    }
}

/// KAF-14's scale-in claim: the instance that stays took the leaver's tasks with all of their state.
@Suite("Task take-over on leave")
struct TaskLeaveTests {
    static let tasks: Set<Int32> = [0, 1, 2]
    static let processed: [Int32: Int] = [0: 58, 1: 44, 2: 29]

    @Test func aSurvivorThatRestoredEveryEntryOfTheLeaversTasksHolds() {
        let survivor = TaskTakeOver.Instance(name: "p1", tasks: [0, 1, 2], restored: [2: 29])
        #expect(
            TaskTakeOver.leaveVerdict(
                leaver: "p2", held: [2], survivor: survivor, processed: Self.processed, tasks: Self.tasks
            ).holds)
    }

    @Test func aSurvivorThatForgotOrLeftATaskFails() {
        let forgetful = TaskTakeOver.Instance(name: "p1", tasks: [0, 1, 2], restored: [2: 0])
        #expect(
            TaskTakeOver.leaveVerdict(
                leaver: "p2", held: [2], survivor: forgetful, processed: Self.processed, tasks: Self.tasks
            ).problems == [
                "task 2: p1 restored 0 changelog entries, but the application had processed 29 of its records"
            ])
        let partial = TaskTakeOver.Instance(name: "p1", tasks: [0, 1], restored: [:])
        #expect(
            TaskTakeOver.leaveVerdict(
                leaver: "p2", held: [2], survivor: partial, processed: Self.processed, tasks: Self.tasks
            ).problems.contains("tasks [2] are held by no instance after p2 left"))
        #expect(!TaskTakeOver.leaveVerdict(
            leaver: "p2", held: [], survivor: partial, processed: Self.processed, tasks: Self.tasks).holds)
    }
}
