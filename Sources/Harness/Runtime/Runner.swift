import Messages
import Gherkin
import Expressions
import Foundation

public struct RunOptions: Sendable {
    /// Which pickles run.
    public var tags: TagExpression = .always
    public var pickleFilter: @Sendable (Pickle) -> Bool = { _ in true }
    public var stepTimeout: Duration = .seconds(60)
    public var hookTimeout: Duration = .seconds(60)
    /// Match steps, run nothing.
    public var dryRun = false
    /// Undefined and pending steps fail the run (cucumber's default).
    public var strict = true
    /// Stop after the first test case that is neither a pass nor a skip.
    public var failFast = false
    /// Run pickles in a random order drawn from this seed (print it to reproduce a run).
    public var shuffleSeed: UInt64?
    /// A failed test case runs again up to this many times (cucumber-js's --retry); one that passes on
    /// a retry is flaky. Only failures are retried: undefined, pending and ambiguous steps are not.
    public var retry = 0
    /// Run only shard `index` (1-based) of `count`: every `count`th selected pickle in file order,
    /// starting with the `index`th; ids from the test cases on carry the shard, for `kafka-bdd merge`.
    public var shard: (index: Int, count: Int)?

    public init() {}
}

/// How a test case ended, for tests, Swift Testing and summaries.
public struct TestCaseOutcome: Sendable {
    public struct StepOutcome: Sendable {
        /// The step text, or "Before"/"After" with the hook's name.
        public var text: String
        public var result: TestStepResult
    }

    public var pickle: Pickle
    public var status: TestStepResultStatus
    public var steps: [StepOutcome]
    /// How many times it ran: more than once only with a retry.
    public var attempts = 1

    /// Passed, but only on a retry.
    public var flaky: Bool { status == .passed && attempts > 1 }

    /// The first step that is not a pass: what decided the outcome.
    public var decisive: StepOutcome? { steps.first { $0.result.status != .passed } }
}

public struct RunSummary: Sendable {
    public var success: Bool
    public var outcomes: [TestCaseOutcome]

    public func count(_ status: TestStepResultStatus) -> Int { outcomes.count { $0.status == status } }
}

/// Runs pickles against the support code and reports everything as Cucumber Messages.
///
/// `begin` announces the run (sources, pickles, definitions, test cases) and runs BeforeAll hooks,
/// `execute` runs one test case, `end` runs AfterAll hooks and closes the run; `run` does all three.
public actor Runner {
    public struct PreparedTestCase: Sendable {
        public let id: String
        public let pickle: Pickle
        let steps: [PreparedStep]
    }

    struct Match: Sendable {
        let definitionId: String
        let definition: StepDefinition
        let arguments: [StepMatchArgument]
    }

    enum PreparedStep: Sendable {
        case hook(id: String, hookId: String, Hook)
        case pickleStep(id: String, PickleStep, [Match])
    }

    private let support: SupportCode
    private let options: RunOptions
    private var ids: IdGenerator
    private let emit: @Sendable (Envelope) -> Void
    private var definitionIds: [Int: String] = [:]  // index in support.definitions → message id
    private var testRunStartedId = ""
    private var outcomes: [TestCaseOutcome] = []
    private var runHookFailed = false
    private var failure: String?
    /// Found once, not per test case: a run of 50,000 scenarios would walk every definition 100,000 times.
    private let hookLists: [HookType: [(Int, Hook)]]
    private let snippets: CucumberExpressionGenerator

    public init(
        support: SupportCode, options: RunOptions = RunOptions(), ids: IdGenerator = IdGenerator(),
        emit: @escaping @Sendable (Envelope) -> Void
    ) {
        self.support = support
        self.options = options
        self.ids = ids
        self.emit = emit
        var hooks: [HookType: [(Int, Hook)]] = [:]
        for (i, d) in support.definitions.enumerated() {
            if case .hook(let h) = d { hooks[h.type, default: []].append((i, h)) }
        }
        hookLists = hooks
        snippets = CucumberExpressionGenerator(registry: support.parameterTypes)
    }

    public func run(_ files: [FeatureFile]) async -> RunSummary {
        let cases = await begin(files)
        for testCase in cases {
            let outcome = await execute(testCase)
            if options.failFast, outcome.status > .skipped { break }
        }
        return await end()
    }

    // MARK: Announcing the run

    public func begin(_ files: [FeatureFile]) async -> [PreparedTestCase] {
        emit(.meta(Meta()))
        var pickles: [Pickle] = []
        for file in files {
            file.envelopes().forEach(emit)
            if let first = file.errors.first { failure = failure ?? "\(file.uri): \(first.message)" }
            pickles += file.pickles
        }
        if let problem = support.problems.first { failure = failure ?? problem }
        for (index, definition) in support.definitions.enumerated() {
            switch definition {
            case .parameterType(let type, let source):
                emit(
                    .parameterType(
                        ParameterTypeMessage(
                            id: ids.newId(), name: type.name, regularExpressions: type.regexps,
                            preferForRegularExpressionMatch: type.preferForRegexpMatch,
                            useForSnippets: type.useForSnippets,
                            sourceReference: source)))
            case .step(let step):
                let id = ids.newId()
                definitionIds[index] = id
                emit(
                    .stepDefinition(
                        StepDefinitionMessage(
                            id: id, source: step.expression.source,
                            isRegularExpression: step.isRegularExpression,
                            sourceReference: step.sourceReference)))
            case .hook(let hook):
                let id = ids.newId()
                definitionIds[index] = id
                emit(
                    .hook(
                        HookMessage(
                            id: id, name: hook.name, tagExpression: hook.tagSource, type: hook.type,
                            sourceReference: hook.sourceReference)))
            case .undefinedParameterType(let expression, let name):
                emit(.undefinedParameterType(UndefinedParameterTypeMessage(expression: expression, name: name)))
            }
        }
        testRunStartedId = ids.newId()
        emit(.testRunStarted(id: testRunStartedId, timestamp: .now()))

        var selected = pickles.filter { options.tags.evaluate($0.tags.map(\.name)) && options.pickleFilter($0) }
        if let shard = options.shard {
            // Everything up to here is the same in every shard (same files, same ids); the rest is its own.
            selected = Self.shard(selected, shard)
            ids = IdGenerator(prefix: "shard\(shard.index)of\(shard.count)-")
        }
        if let seed = options.shuffleSeed {
            var rng = SeededGenerator(seed: seed)
            selected.shuffle(using: &rng)
        }
        let cases = selected.map(prepare)
        for c in cases {
            emit(
                .testCase(
                    TestCaseMessage(
                        id: c.id, pickleId: c.pickle.id, testSteps: c.steps.map(Self.message),
                        testRunStartedId: testRunStartedId)))
        }
        for (index, hook) in hooks(.beforeTestRun) {
            await runTestRunHook(hook, hookId: definitionIds[index]!)
        }
        return cases
    }

    private func hooks(_ type: HookType) -> [(Int, Hook)] { hookLists[type] ?? [] }

    /// The `index`th of every `count` pickles, in the order given: N shards cover each pickle once.
    public static func shard<T>(_ items: [T], _ shard: (index: Int, count: Int)) -> [T] {
        items.enumerated().filter { $0.offset % shard.count == shard.index - 1 }.map(\.element)
    }

    private func prepare(_ pickle: Pickle) -> PreparedTestCase {
        var steps: [PreparedStep] = []
        for (index, hook) in hooks(.beforeTestCase) where hook.applies(to: pickle) {
            steps.append(.hook(id: ids.newId(), hookId: definitionIds[index]!, hook))
        }
        for step in pickle.steps {
            let matches = support.matches(step.text).map {
                Match(definitionId: definitionIds[$0.index]!, definition: $0.definition, arguments: $0.arguments)
            }
            steps.append(.pickleStep(id: ids.newId(), step, matches))
        }
        // After hooks run in reverse order of definition, as cucumber's do.
        for (index, hook) in hooks(.afterTestCase).reversed() where hook.applies(to: pickle) {
            steps.append(.hook(id: ids.newId(), hookId: definitionIds[index]!, hook))
        }
        return PreparedTestCase(id: ids.newId(), pickle: pickle, steps: steps)
    }

    private static func message(_ step: PreparedStep) -> TestStep {
        switch step {
        case .hook(let id, let hookId, _):
            return TestStep(id: id, kind: .hook(hookId: hookId))
        case .pickleStep(let id, let pickleStep, let matches):
            return TestStep(
                id: id,
                kind: .pickleStep(
                    pickleStepId: pickleStep.id,
                    stepDefinitionIds: matches.map(\.definitionId),
                    argumentLists: matches.map { m in
                        m.arguments.map { (MatchedGroup($0.group), $0.parameterType.name) }
                    }))
        }
    }

    // MARK: Running

    @discardableResult
    public func execute(_ testCase: PreparedTestCase) async -> TestCaseOutcome {
        var attempt = 0
        while true {
            var outcome = await execute(testCase, attempt: attempt)
            if outcome.status == .failed, attempt < options.retry {
                attempt += 1
                continue
            }
            outcome.attempts = attempt + 1
            outcomes.append(outcome)
            return outcome
        }
    }

    private func execute(_ testCase: PreparedTestCase, attempt: Int) async -> TestCaseOutcome {
        let startedId = ids.newId()
        emit(.testCaseStarted(id: startedId, testCaseId: testCase.id, attempt: attempt, timestamp: .now()))
        let world = World(pickle: testCase.pickle)
        var skipping = runHookFailed
        var stepOutcomes: [TestCaseOutcome.StepOutcome] = []
        for step in testCase.steps {
            let stepId: String
            let text: String
            let result: TestStepResult
            let sink = AttachmentSink()
            switch step {
            case .hook(let id, _, let hook):
                stepId = id
                text = (hook.type == .beforeTestCase ? "Before" : "After") + (hook.name.map { " \($0)" } ?? "")
                emit(.testStepStarted(testCaseStartedId: startedId, testStepId: id, timestamp: .now()))
                if options.dryRun || (skipping && hook.type == .beforeTestCase) {
                    result = TestStepResult(status: .skipped)
                } else {
                    let context = StepContext(world: world, step: nil, arguments: [], sink: sink)
                    result = await Self.perform(
                        hook.body, context, limit: options.hookTimeout,
                        what: "\(text) hook (\(hook.sourceReference))")
                }
            case .pickleStep(let id, let pickleStep, let matches):
                stepId = id
                text = pickleStep.text
                emit(.testStepStarted(testCaseStartedId: startedId, testStepId: id, timestamp: .now()))
                if matches.isEmpty {
                    emit(
                        .suggestion(
                            id: ids.newId(), pickleStepId: pickleStep.id,
                            snippets: Snippets.swift(for: pickleStep, generator: snippets)))
                    result = TestStepResult(status: .undefined)
                } else if matches.count > 1 {
                    let list = matches.map {
                        "  \($0.definition.expression.source)  — \($0.definition.sourceReference)"
                    }.joined(separator: "\n")
                    result = TestStepResult(
                        status: .ambiguous,
                        message: "Step '\(pickleStep.text)' matches \(matches.count) step definitions:\n\(list)")
                } else if skipping || options.dryRun {
                    result = TestStepResult(status: .skipped)
                } else {
                    let context = StepContext(
                        world: world, step: pickleStep, arguments: matches[0].arguments, sink: sink)
                    let own = matches[0].definition.deadline?.duration(matches[0].arguments)
                    let limit = own.map { StepDeadline.limit(own: $0, run: options.stepTimeout) } ?? options.stepTimeout
                    result = await Self.perform(
                        matches[0].definition.body, context, limit: limit,
                        what: "step '\(pickleStep.text)'", own: own)
                }
            }
            for attachment in sink.drain() {
                var a = attachment
                a.testCaseStartedId = startedId
                a.testStepId = stepId
                a.timestamp = .now()
                emit(.attachment(a))
            }
            emit(.testStepFinished(testCaseStartedId: startedId, testStepId: stepId, result: result, timestamp: .now()))
            if result.status != .passed { skipping = true }
            stepOutcomes.append(.init(text: text, result: result))
        }
        let status = stepOutcomes.map(\.result.status).max() ?? .passed
        let retried = status == .failed && attempt < options.retry
        emit(.testCaseFinished(testCaseStartedId: startedId, willBeRetried: retried, timestamp: .now()))
        return TestCaseOutcome(pickle: testCase.pickle, status: status, steps: stepOutcomes)
    }

    /// Runs a body under its time limit and turns how it ended into a step result.
    static func perform(
        _ body: @escaping StepBody, _ context: StepContext, limit: Duration, what: String,
        own: Duration? = nil
    ) async -> TestStepResult {
        let clock = ContinuousClock()
        let start = clock.now
        func elapsed() -> Timestamp { Timestamp(clock.now - start) }
        do {
            try await withDeadline(limit, what: what, own: own) { try await body(context) }
            return TestStepResult(status: .passed, duration: elapsed())
        } catch let skip as StepSkipped {
            return TestStepResult(status: .skipped, duration: elapsed(), message: skip.reason)
        } catch let skip as any SkipsStep {
            // What the backend cannot model is never a verdict: the scenario is skipped, naming the claim.
            return TestStepResult(
                status: .skipped, duration: elapsed(), message: "\(what) was not verified: \(skip.skipReason)")
        } catch let pending as StepPending {
            return TestStepResult(status: .pending, duration: elapsed(), message: pending.reason)
        } catch {
            let message = "\(error)"
            return TestStepResult(
                status: .failed, duration: elapsed(), message: message,
                exception: ExceptionInfo(type: String(reflecting: type(of: error)), message: message))
        }
    }

    private func runTestRunHook(_ hook: Hook, hookId: String) async {
        let startedId = ids.newId()
        emit(.testRunHookStarted(id: startedId, testRunStartedId: testRunStartedId, hookId: hookId, timestamp: .now()))
        let sink = AttachmentSink()
        let context = StepContext(world: World(pickle: Runner.runPickle), step: nil, arguments: [], sink: sink)
        let result =
            options.dryRun
            ? TestStepResult(status: .skipped)
            : await Self.perform(
                hook.body, context, limit: options.hookTimeout,
                what: "\(hook.type == .beforeTestRun ? "BeforeAll" : "AfterAll") hook (\(hook.sourceReference))")
        for attachment in sink.drain() {
            var a = attachment
            a.testRunHookStartedId = startedId
            a.timestamp = .now()
            emit(.attachment(a))
        }
        emit(.testRunHookFinished(testRunHookStartedId: startedId, result: result, timestamp: .now()))
        if result.status == .failed {
            runHookFailed = true
            failure = failure ?? (result.message ?? "a test-run hook failed")
        }
    }

    static let runPickle = Pickle(
        id: "", uri: "", location: Location(line: 0, column: 0), name: "test run", language: "en",
        steps: [], tags: [], astNodeIds: [])

    // MARK: Closing the run

    public func end() async -> RunSummary {
        for (index, hook) in hooks(.afterTestRun).reversed() {
            await runTestRunHook(hook, hookId: definitionIds[index]!)
        }
        let bad: Set<TestStepResultStatus> =
            options.strict ? [.failed, .ambiguous, .undefined, .pending] : [.failed, .ambiguous]
        let success = failure == nil && !outcomes.contains { bad.contains($0.status) }
        emit(
            .testRunFinished(
                testRunStartedId: testRunStartedId, success: success, message: failure, exception: nil,
                timestamp: .now()))
        return RunSummary(success: success, outcomes: outcomes)
    }
}

extension SourceReference: CustomStringConvertible {
    public var description: String { "\(uri):\(line)" }
}

/// SplitMix64: a small, fixed random generator, so a seed reproduces a run order everywhere.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension MatchedGroup {
    init(_ group: TreeRegexp.Group) {
        self.init(
            start: group.start >= 0 ? group.start : nil, value: group.value,
            children: group.children.map(MatchedGroup.init))
    }
}
