import Foundation
@testable import Expressions
import Testing
import TestSupport
import Yams

/// The official cucumber-expressions testdata: tokenizer, parser, transformation and matching,
/// for Cucumber Expressions and regular expressions.
@Suite("Cucumber Expressions conformance (cucumber/cucumber-expressions testdata)")
struct ExpressionConformanceTests {
    static let root = Paths.sharedFolder("conformance/cucumber-expressions")

    static func cases(_ folder: String) -> [String] {
        guard let dir = root?.appendingPathComponent(folder),
              let names = try? FileManager.default.contentsOfDirectory(atPath: dir.path) else { return [] }
        return names.filter { $0.hasSuffix(".yaml") }.sorted().map { "\(folder)/\($0)" }
    }

    static func load(_ name: String) throws -> [String: Any] {
        let text = try String(contentsOf: root!.appendingPathComponent(name), encoding: .utf8)
        return try #require(try Yams.load(yaml: text) as? [String: Any])
    }

    static let enabled = ConditionTrait.enabled(if: root != nil, Comment(rawValue: Paths.missingShared))

    @Test("tokenizer", enabled, arguments: cases("cucumber-expression/tokenizer"))
    func tokenizer(_ name: String) throws {
        let c = try Self.load(name)
        let expression = c["expression"] as! String
        do {
            let tokens = try CucumberExpressionTokenizer.tokenize(expression)
            let expected = try #require(c["expected_tokens"] as? [[String: Any]], "expected an error: \(c["exception"] ?? "")")
            #expect(tokens.map { "\($0.kind.rawValue) \($0.start) \($0.end) \($0.text)" }
                    == expected.map { "\($0["type"]!) \($0["start"]!) \($0["end"]!) \($0["text"]!)" })
        } catch let error as CucumberExpressionError {
            #expect(error.message == c["exception"] as? String)
        }
    }

    static func describe(_ node: CucumberExpressionNode) -> String {
        var s = "\(node.kind.rawValue)[\(node.start),\(node.end)]"
        if let t = node.token { s += "'\(t)'" }
        if let n = node.nodes { s += "(" + n.map(describe).joined(separator: " ") + ")" }
        return s
    }

    static func describe(_ node: [String: Any]) -> String {
        var s = "\(node["type"]!)[\(node["start"]!),\(node["end"]!)]"
        if let t = node["token"] { s += "'\(t)'" }
        if let n = node["nodes"] as? [[String: Any]] { s += "(" + n.map(describe).joined(separator: " ") + ")" }
        return s
    }

    @Test("parser", enabled, arguments: cases("cucumber-expression/parser"))
    func parser(_ name: String) throws {
        let c = try Self.load(name)
        let expression = c["expression"] as! String
        do {
            let ast = try CucumberExpressionParser.parse(expression)
            let expected = try #require(c["expected_ast"] as? [String: Any], "expected an error: \(c["exception"] ?? "")")
            #expect(Self.describe(ast) == Self.describe(expected))
        } catch let error as CucumberExpressionError {
            #expect(error.message == c["exception"] as? String)
        }
    }

    @Test("transformation to a regular expression", enabled, arguments: cases("cucumber-expression/transformation"))
    func transformation(_ name: String) throws {
        let c = try Self.load(name)
        let expression = try CucumberExpression(c["expression"] as! String)
        #expect(expression.regexp == c["expected_regex"] as? String)
    }

    /// Compares a transformed value with the YAML's (ints, floats, strings, nulls).
    static func same(_ actual: (any Sendable)?, _ expected: Any?) -> Bool {
        switch expected {
        case nil, is NSNull: return actual == nil
        case let e as Int:
            switch actual {
            case let a as Int: return a == e
            case let a as Int8: return Int(a) == e
            case let a as Int16: return Int(a) == e
            case let a as Int64: return a == Int64(e)
            default: return false
            }
        case let e as Double:
            let a: Double? = switch actual {
            case let a as Double: a
            case let a as Float: Double(a)
            default: nil
            }
            guard let a else { return false }
            return abs(a - e) <= 1e-6 * max(1, abs(e))
        case let e as String:
            return (actual as? String) == e
        default:
            return false
        }
    }

    func checkMatch(_ c: [String: Any], _ compile: (String) throws -> any StepExpression) {
        let source = c["expression"].map { "\($0)" } ?? ""
        let text = c["text"].map { "\($0)" } ?? ""
        do {
            let expression = try compile(source)
            let args = expression.match(text)
            if let error = c["exception"] as? String {
                Issue.record("expected error \(error)")
                return
            }
            guard let expected = c["expected_args"] as? [Any?] else {
                #expect(args == nil, "should not match")
                return
            }
            let values = try #require(args, "should match").map { try $0.value() }
            #expect(values.count == expected.count)
            for (a, e) in zip(values, expected) {
                #expect(Self.same(a, e), "got \(String(describing: a)), expected \(String(describing: e))")
            }
        } catch let error as CucumberExpressionError {
            #expect(error.message == c["exception"] as? String)
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test("Cucumber Expression matching", enabled, arguments: cases("cucumber-expression/matching"))
    func matching(_ name: String) throws {
        checkMatch(try Self.load(name)) { try CucumberExpression($0) }
    }

    @Test("regular expression matching", enabled, arguments: cases("regular-expression/matching"))
    func regexMatching(_ name: String) throws {
        checkMatch(try Self.load(name)) { try RegularExpression($0) }
    }
}

@Suite("Tag expressions conformance (cucumber/tag-expressions testdata)")
struct TagExpressionConformanceTests {
    static let root = Paths.sharedFolder("conformance/tag-expressions")
    static let enabled = ConditionTrait.enabled(if: root != nil, Comment(rawValue: Paths.missingShared))

    static func load(_ name: String) throws -> [[String: Any]] {
        let text = try String(contentsOf: root!.appendingPathComponent(name), encoding: .utf8)
        return try #require(try Yams.load(yaml: text) as? [[String: Any]])
    }

    @Test("parsing and formatting", enabled)
    func parsing() throws {
        let cases = try Self.load("parsing.yml")
        #expect(!cases.isEmpty)
        for c in cases {
            let e = try TagExpression(parsing: c["expression"] as! String)
            #expect(e.description == c["formatted"] as? String)
            // Formatting is a fixed point: the formatted text parses to the same expression.
            #expect(try TagExpression(parsing: e.description) == e)
        }
    }

    @Test("evaluation", enabled)
    func evaluations() throws {
        for c in try Self.load("evaluations.yml") {
            let e = try TagExpression(parsing: c["expression"] as! String)
            for t in c["tests"] as! [[String: Any]] {
                let variables = t["variables"] as! [String]
                #expect(e.evaluate(variables) == (t["result"] as! Bool), "\(c["expression"]!) with \(variables)")
            }
        }
    }

    @Test("errors", enabled)
    func errors() throws {
        for c in try Self.load("errors.yml") {
            do {
                _ = try TagExpression(parsing: c["expression"] as! String)
                Issue.record("\(c["expression"]!) should not parse")
            } catch {
                #expect(error.description == c["error"] as? String)
            }
        }
    }
}
