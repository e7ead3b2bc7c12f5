@testable import Expressions
import Testing

/// A Cucumber Expression skips its regular expression when the step text lacks the literal text the
/// expression starts or ends with; it must decide exactly as the regular expression would.
@Suite("Cucumber Expressions: the literal prefilter")
struct ExpressionPrefilterTests {
    static let expressions = [
        "I have {int} cucumber(s) in my belly", "{int} apples", "I have a/an apple", "(a )cat", "the café {word}",
        "I have 42 cucumbers", #"x \(y\) z"#, "trailing {string}", "{string}", "{int} {word} or {float}", "plain",
        "a/b c/d", "ends with (s)", "broker {int} is killed",
    ]
    static let texts = [
        "I have 42 cucumbers in my belly", "I have 1 cucumber in my belly", "I have 42 cucumbers in my bell",
        "3 apples", "apples", "I have a apple", "I have an apple", "I have the apple", "a cat", "cat", "the cat",
        "the café au", "the cafe\u{301} au", "the café", "I have 42 cucumbers", "I have 42 cucumbers ",
        "x (y) z", "x y z", #"trailing "quoted""#, #"trailing "quoted"#, #""only""#, "1 two or 3.5", "plain",
        "plainer", "", "a c", "b d", "a d", "ends with", "ends with s", "broker 2 is killed", "broker x is killed",
        "I have 42 cucumbers\n", "broker 2 is killed\n", "cat\n",
    ]

    @Test func decidesAsTheRegularExpressionDoes() throws {
        for source in Self.expressions {
            let expression = try CucumberExpression(source)
            for text in Self.texts {
                let byRegex = expression.tree.match(text) != nil && !text.hasSuffix("\n")
                #expect((expression.match(text) != nil) == byRegex, "\(source) against \(text.debugDescription)")
            }
        }
    }

    /// ICU's `$` also matches before a final newline; cucumber's (JavaScript's) does not, nor does ours.
    @Test func aFinalNewlineIsNotTheEndOfTheText() throws {
        #expect(try CucumberExpression("plain").tree.match("plain\n") != nil, "ICU's end of input")
        #expect(try CucumberExpression("plain").match("plain\n") == nil)
        #expect(try CucumberExpression("plain").match("plain") != nil)
    }
}
