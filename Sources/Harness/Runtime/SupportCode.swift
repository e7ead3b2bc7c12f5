import Messages
import Gherkin
import Expressions
/// A step body or hook body.
public typealias StepBody = @Sendable (StepContext) async throws -> Void

/// A sentence the suite understands, and what it does.
public struct StepDefinition: Sendable {
    public let expression: any StepExpression
    public let isRegularExpression: Bool
    public let sourceReference: SourceReference
    /// One line for `kafka-bdd steps`, and an example step text using it.
    public let doc: String?
    public let example: String?
    /// The deadline the sentence states, if any (the runner's limit for it is above that).
    public let deadline: StepDeadline?
    let body: StepBody
}

public struct Hook: Sendable {
    public let type: HookType
    public let name: String?
    public let tagExpression: TagExpression?
    public let tagSource: String?
    public let sourceReference: SourceReference
    let body: StepBody

    func applies(to pickle: Pickle) -> Bool {
        tagExpression?.evaluate(pickle.tags.map(\.name)) ?? true
    }
}

/// Everything a suite defines — parameter types, step definitions, hooks — in definition order,
/// which is the order the run's messages list them in.
public struct SupportCode: Sendable {
    public enum Definition: Sendable {
        case parameterType(ParameterType, SourceReference)
        case step(StepDefinition)
        case hook(Hook)
        /// A step definition whose expression names a parameter type nobody defined: reported, and
        /// the steps it would have matched are undefined.
        case undefinedParameterType(expression: String, name: String)
    }

    public private(set) var parameterTypes = ParameterTypeRegistry()
    /// What a custom parameter type accepts, in words, for the step docs (its regexps otherwise).
    public private(set) var parameterTypeDescriptions: [String: String] = [:]
    public private(set) var definitions: [Definition] = [] {
        didSet {
            // Matching walks the step definitions only: kept beside the list, not filtered per step text.
            if let last = definitions.last, case .step(let s) = last { steps.append((definitions.count - 1, s)) }
        }
    }
    private var steps: [(index: Int, definition: StepDefinition)] = []
    /// Definitions that could not be made (bad expression syntax, bad tag expression): the run
    /// fails before any scenario with these.
    public private(set) var problems: [String] = []

    public init() {}

    public var stepDefinitions: [StepDefinition] {
        definitions.compactMap { if case .step(let s) = $0 { s } else { nil } }
    }

    public var hooks: [Hook] {
        definitions.compactMap { if case .hook(let h) = $0 { h } else { nil } }
    }

    // MARK: Steps

    /// Defines a step with a Cucumber Expression. `Given`, `When` and `Then` are the same thing:
    /// a step's keyword does not take part in matching.
    public mutating func step(
        _ expression: String, deadline: StepDeadline? = nil,
        doc: String? = nil, example: String? = nil,
        fileID: String = #fileID, line: Int = #line, _ body: @escaping StepBody
    ) {
        let source = SourceReference(uri: fileID, line: line)
        do {
            let compiled = try CucumberExpression(expression, registry: parameterTypes)
            definitions.append(
                .step(
                    StepDefinition(
                        expression: compiled, isRegularExpression: false, sourceReference: source,
                        doc: doc, example: example, deadline: deadline, body: body)))
        } catch {
            if let name = Self.undefinedParameterTypeName(in: error.message) {
                definitions.append(.undefinedParameterType(expression: expression, name: name))
            } else {
                problems.append("\(source.uri):\(source.line): \(error.message)")
            }
        }
    }

    public mutating func given(
        _ expression: String, deadline: StepDeadline? = nil,
        doc: String? = nil, example: String? = nil,
        fileID: String = #fileID, line: Int = #line, _ body: @escaping StepBody
    ) {
        step(expression, deadline: deadline, doc: doc, example: example, fileID: fileID, line: line, body)
    }

    public mutating func when(
        _ expression: String, deadline: StepDeadline? = nil,
        doc: String? = nil, example: String? = nil,
        fileID: String = #fileID, line: Int = #line, _ body: @escaping StepBody
    ) {
        step(expression, deadline: deadline, doc: doc, example: example, fileID: fileID, line: line, body)
    }

    public mutating func then(
        _ expression: String, deadline: StepDeadline? = nil,
        doc: String? = nil, example: String? = nil,
        fileID: String = #fileID, line: Int = #line, _ body: @escaping StepBody
    ) {
        step(expression, deadline: deadline, doc: doc, example: example, fileID: fileID, line: line, body)
    }

    // MARK: Steps with typed parameters

    /// Defines a step whose body takes the expression's arguments as typed parameters, in order:
    /// `code.when("{string} reads {int} records", ConsumingSteps.read)` with
    /// `static func read(_ ctx: StepContext, group: String, count: Int) async throws`. The parameters'
    /// types are checked against the expression's parameter types here, so a mismatch fails the run
    /// before any scenario, naming this line, instead of the step at run time.
    public mutating func step<each A>(
        _ expression: String, deadline: StepDeadline? = nil,
        doc: String? = nil, example: String? = nil,
        fileID: String = #fileID, line: Int = #line,
        _ body: @escaping @Sendable (StepContext, repeat each A) async throws -> Void
    ) {
        var types: [Any.Type] = []
        for type in repeat (each A).self { types.append(type) }
        let before = definitions.count
        step(expression, deadline: deadline, doc: doc, example: example, fileID: fileID, line: line) { ctx in
            var index = 0
            func next<T>(_: T.Type) throws -> T {
                defer { index += 1 }
                return try ctx.typedArgument(index)
            }
            try await body(ctx, repeat try next((each A).self))
        }
        guard definitions.count > before, case .step(let defined) = definitions[definitions.count - 1],
            let compiled = defined.expression as? CucumberExpression
        else { return }
        if let mismatch = Self.mismatch(compiled.parameterTypes, types) {
            problems.append("\(fileID):\(line): \(mismatch)")
        }
    }

    public mutating func given<each A>(
        _ expression: String, deadline: StepDeadline? = nil,
        doc: String? = nil, example: String? = nil,
        fileID: String = #fileID, line: Int = #line,
        _ body: @escaping @Sendable (StepContext, repeat each A) async throws -> Void
    ) {
        step(expression, deadline: deadline, doc: doc, example: example, fileID: fileID, line: line, body)
    }

    public mutating func when<each A>(
        _ expression: String, deadline: StepDeadline? = nil,
        doc: String? = nil, example: String? = nil,
        fileID: String = #fileID, line: Int = #line,
        _ body: @escaping @Sendable (StepContext, repeat each A) async throws -> Void
    ) {
        step(expression, deadline: deadline, doc: doc, example: example, fileID: fileID, line: line, body)
    }

    public mutating func then<each A>(
        _ expression: String, deadline: StepDeadline? = nil,
        doc: String? = nil, example: String? = nil,
        fileID: String = #fileID, line: Int = #line,
        _ body: @escaping @Sendable (StepContext, repeat each A) async throws -> Void
    ) {
        step(expression, deadline: deadline, doc: doc, example: example, fileID: fileID, line: line, body)
    }

    /// Why a body taking `types` cannot receive what `parameters` produce, or nil when it can. An `{int}`
    /// may also be taken as `Int32` or `Int64` (partitions, broker ids, offsets), checked when it arrives.
    static func mismatch(_ parameters: [ParameterType], _ types: [Any.Type]) -> String? {
        let produced = parameters.map { Self.swiftName($0.typeName) }
        let taken = types.map { "\($0)" }
        let fits =
            produced.count == taken.count
            && zip(produced, taken).allSatisfy { produced, taken in
                produced == taken || (produced == "Int" && StepContext.narrowerIntegers.contains(taken))
            }
        guard !fits else { return nil }
        let expression = parameters.map { "{\($0.name)}" }.joined(separator: " ")
        return "the step function takes (\(taken.joined(separator: ", "))) but the expression's parameters"
            + " \(expression.isEmpty ? "(none)" : expression) give (\(produced.joined(separator: ", ")))"
    }

    /// A parameter type's declared type name as Swift prints the type: `[Int32]` is `Array<Int32>`.
    private static func swiftName(_ typeName: String) -> String {
        guard typeName.hasPrefix("["), typeName.hasSuffix("]"), !typeName.contains(":") else { return typeName }
        return "Array<\(typeName.dropFirst().dropLast())>"
    }

    /// Defines a step with a regular expression (anchor it with `^…$` to match whole steps).
    public mutating func regex(
        _ pattern: String, doc: String? = nil, example: String? = nil,
        fileID: String = #fileID, line: Int = #line, _ body: @escaping StepBody
    ) {
        let source = SourceReference(uri: fileID, line: line)
        do {
            let compiled = try RegularExpression(pattern, registry: parameterTypes)
            definitions.append(
                .step(
                    StepDefinition(
                        expression: compiled, isRegularExpression: true, sourceReference: source,
                        doc: doc, example: example, deadline: nil, body: body)))
        } catch {
            problems.append("\(source.uri):\(source.line): invalid regular expression /\(pattern)/: \(error)")
        }
    }

    // MARK: Parameter types

    public mutating func parameterType(
        _ name: String, regexps: [String], typeName: String = "String",
        useForSnippets: Bool = true, preferForRegexpMatch: Bool = false,
        description: String? = nil,
        fileID: String = #fileID, line: Int = #line,
        transformer: @escaping ParameterType.Transformer
    ) {
        let source = SourceReference(uri: fileID, line: line)
        if let description { parameterTypeDescriptions[name] = description }
        do {
            let type = try ParameterType(
                name: name, regexps: regexps, typeName: typeName, useForSnippets: useForSnippets,
                preferForRegexpMatch: preferForRegexpMatch, transformer: transformer)
            try parameterTypes.define(type)
            definitions.append(.parameterType(type, source))
        } catch {
            problems.append("\(source.uri):\(source.line): \(error.message)")
        }
    }

    // MARK: Hooks

    public mutating func before(
        tags: String? = nil, name: String? = nil, fileID: String = #fileID, line: Int = #line,
        _ body: @escaping StepBody
    ) {
        hook(.beforeTestCase, tags: tags, name: name, fileID: fileID, line: line, body)
    }

    public mutating func after(
        tags: String? = nil, name: String? = nil, fileID: String = #fileID, line: Int = #line,
        _ body: @escaping StepBody
    ) {
        hook(.afterTestCase, tags: tags, name: name, fileID: fileID, line: line, body)
    }

    /// Runs once before the first scenario; its context has an empty pickle.
    public mutating func beforeAll(
        name: String? = nil, fileID: String = #fileID, line: Int = #line, _ body: @escaping StepBody
    ) {
        hook(.beforeTestRun, tags: nil, name: name, fileID: fileID, line: line, body)
    }

    /// Runs once after the last scenario, in reverse order of definition.
    public mutating func afterAll(
        name: String? = nil, fileID: String = #fileID, line: Int = #line, _ body: @escaping StepBody
    ) {
        hook(.afterTestRun, tags: nil, name: name, fileID: fileID, line: line, body)
    }

    private mutating func hook(
        _ type: HookType, tags: String?, name: String?, fileID: String, line: Int, _ body: @escaping StepBody
    ) {
        let source = SourceReference(uri: fileID, line: line)
        var expression: TagExpression?
        if let tags {
            do { expression = try TagExpression(parsing: tags) } catch {
                problems.append("\(source.uri):\(source.line): \(error)")
                return
            }
        }
        definitions.append(
            .hook(
                Hook(
                    type: type, name: name, tagExpression: expression, tagSource: tags,
                    sourceReference: source, body: body)))
    }

    // MARK: Matching

    /// Every step definition whose expression matches `text` entirely, with its arguments and its
    /// index in `definitions`.
    public func matches(_ text: String) -> [(index: Int, definition: StepDefinition, arguments: [StepMatchArgument])] {
        steps.compactMap { i, step in step.expression.match(text).map { (i, step, $0) } }
    }

    private static func undefinedParameterTypeName(in message: String) -> String? {
        guard let range = message.range(of: "Undefined parameter type '") else { return nil }
        let rest = message[range.upperBound...]
        return rest.firstIndex(of: "'").map { String(rest[..<$0]) }
    }
}
