import Messages
import Gherkin
import Expressions
/// Suggested Swift step definitions for an undefined step, one per candidate expression.
enum Snippets {
    static func swift(for step: PickleStep, generator: CucumberExpressionGenerator) -> [Snippet] {
        let function =
            switch step.type {
            case .action: "when"
            case .outcome: "then"
            default: "given"
            }
        return generator.generateExpressions(step.text).map { expression in
            // The typed form (`SupportCode.step<each A>`): the parameters are checked when it is registered.
            let parameters = zip(expression.parameterTypes, expression.parameterNames).map { type, name in
                ", \(name): \(type.typeName)"
            }
            let head = parameters.isEmpty ? "ctx" : "(ctx\(parameters.joined()))"
            var lines = ["steps.\(function)(\(literal(expression.source))) { \(head) in"]
            if step.argument?.docString != nil { lines.append("    let docString = ctx.docString!") }
            if step.argument?.dataTable != nil { lines.append("    let table = ctx.dataTable!") }
            lines.append("    throw StepPending(\"write this step\")")
            lines.append("}")
            return Snippet(language: "swift", code: lines.joined(separator: "\n"))
        }
    }

    static func literal(_ s: String) -> String {
        "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
