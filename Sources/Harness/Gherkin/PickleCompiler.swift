import Messages
/// Compiles a GherkinDocument into pickles: backgrounds prepended, outlines expanded per example
/// row with `<placeholder>` substitution, tags inherited from feature, rule, scenario and examples.
public struct PickleCompiler: Sendable {
    public init() {}

    public func compile(_ document: GherkinDocument, uri: String, ids: IdGenerator) -> [Pickle] {
        guard let feature = document.feature else { return [] }
        var context = Context(uri: uri, language: feature.language, ids: ids)
        var backgroundSteps: [Step] = []
        for child in feature.children {
            switch child {
            case .background(let b):
                backgroundSteps += b.steps
            case .rule(let rule):
                var ruleBackground = backgroundSteps
                let tags = feature.tags + rule.tags
                for child in rule.children {
                    switch child {
                    case .background(let b): ruleBackground += b.steps
                    case .scenario(let s): context.compile(s, background: ruleBackground, inheritedTags: tags)
                    }
                }
            case .scenario(let s):
                context.compile(s, background: backgroundSteps, inheritedTags: feature.tags)
            }
        }
        return context.pickles
    }

    private struct Context {
        let uri: String
        let language: String
        let ids: IdGenerator
        var pickles: [Pickle] = []

        init(uri: String, language: String, ids: IdGenerator) {
            self.uri = uri
            self.language = language
            self.ids = ids
        }

        mutating func compile(_ scenario: Scenario, background: [Step], inheritedTags: [Tag]) {
            if scenario.examples.isEmpty {
                let steps = pickleSteps(background, scenario.steps, row: nil)
                pickles.append(
                    Pickle(
                        id: ids.newId(), uri: uri, location: scenario.location, name: scenario.name,
                        language: language, steps: steps,
                        tags: (inheritedTags + scenario.tags).map(pickleTag),
                        astNodeIds: [scenario.id]))
                return
            }
            for examples in scenario.examples {
                guard let header = examples.tableHeader else { continue }
                // The same for every row of the table: made once.
                let patterns = Values.patterns(header.cells.map(\.value))
                let tags = (inheritedTags + scenario.tags + examples.tags).map(pickleTag)
                for row in examples.tableBody {
                    let values = Values(patterns: patterns, values: row.cells.map(\.value))
                    let steps = pickleSteps(background, scenario.steps, row: (row.id, values))
                    pickles.append(
                        Pickle(
                            id: ids.newId(), uri: uri, location: row.location,
                            name: values.interpolate(scenario.name), language: language, steps: steps,
                            tags: tags, astNodeIds: [scenario.id, row.id]))
                }
            }
        }

        private func pickleTag(_ tag: Tag) -> PickleTag { PickleTag(name: tag.name, astNodeId: tag.id) }

        /// The background's steps (none when the scenario has no steps of its own), then the scenario's.
        /// Like the reference, an And or But takes the type of the step before it, even when that step
        /// is the background's last: the type is carried from one list into the other.
        private func pickleSteps(_ background: [Step], _ steps: [Step], row: (id: String, values: Values)?)
            -> [PickleStep]
        {
            guard !steps.isEmpty else { return [] }
            var previous = PickleStepType.unknown
            var out: [PickleStep] = []
            out.reserveCapacity(background.count + steps.count)
            for step in background { out.append(pickleStep(step, row: nil, previous: &previous)) }
            for step in steps { out.append(pickleStep(step, row: row, previous: &previous)) }
            return out
        }

        private func pickleStep(
            _ step: Step, row: (id: String, values: Values)?,
            previous: inout PickleStepType
        ) -> PickleStep {
            let type: PickleStepType =
                switch step.keywordType {
                case .context: .context
                case .action: .action
                case .outcome: .outcome
                case .conjunction: previous
                case .unknown, nil: .unknown
                }
            previous = type
            let values = row?.values ?? Values.none
            var argument: PickleStepArgument?
            if step.docString != nil || step.dataTable != nil {
                var a = PickleStepArgument()
                if let d = step.docString {
                    a.docString = PickleDocString(
                        mediaType: d.mediaType.map(values.interpolate),
                        content: values.interpolate(d.content))
                }
                if let t = step.dataTable {
                    a.dataTable = PickleTable(rows: t.rows.map { $0.cells.map { values.interpolate($0.value) } })
                }
                if let d = step.docString, let t = step.dataTable {
                    let docFirst = d.location.line < t.location.line
                    a.docString!.argumentIndex = docFirst ? 1 : 2
                    a.dataTable!.argumentIndex = docFirst ? 2 : 1
                }
                argument = a
            }
            return PickleStep(
                id: ids.newId(), text: values.interpolate(step.text), type: type, argument: argument,
                astNodeIds: row.map { [step.id, $0.id] } ?? [step.id])
        }
    }

    /// The `<name>` → value substitutions of one example row, applied one header after the
    /// other like the reference's string replacement (byte-wise, which is also much faster).
    private struct Values {
        private let patterns: [[UInt8]]
        private let values: [String]

        static let none = Values(patterns: [], values: [])

        /// `<name>` for each name of an examples table's header.
        static func patterns(_ names: [String]) -> [[UInt8]] {
            names.map { Array("<\($0)>".utf8) }
        }

        init(patterns: [[UInt8]], values: [String]) {
            self.patterns = patterns
            self.values = values
        }

        func interpolate(_ text: String) -> String {
            guard !patterns.isEmpty,
                text.utf8.withContiguousStorageIfAvailable({ $0.contains(UInt8(ascii: "<")) }) ?? true
            else { return text }
            var bytes = Array(text.utf8)
            var changed = false
            for (pattern, value) in zip(patterns, values) {
                if let replaced = Values.replacingAll(pattern, with: value, in: bytes) {
                    bytes = replaced
                    changed = true
                }
            }
            return changed ? String(decoding: bytes, as: UTF8.self) : text
        }

        private static func replacingAll(_ pattern: [UInt8], with value: String, in bytes: [UInt8]) -> [UInt8]? {
            guard bytes.count >= pattern.count else { return nil }
            var result: [UInt8]?
            var copied = 0
            var i = 0
            let last = bytes.count - pattern.count
            while i <= last {
                if bytes[i] == pattern[0], bytes[i..<(i + pattern.count)].elementsEqual(pattern) {
                    if result == nil { result = []; result!.reserveCapacity(bytes.count + value.utf8.count) }
                    result!.append(contentsOf: bytes[copied..<i])
                    result!.append(contentsOf: value.utf8)
                    i += pattern.count
                    copied = i
                } else {
                    i += 1
                }
            }
            guard var r = result else { return nil }
            r.append(contentsOf: bytes[copied...])
            return r
        }
    }
}
