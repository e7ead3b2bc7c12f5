import Messages
/// The kinds of line the Gherkin grammar is written in.
public enum TokenType: Int, CaseIterable, Sendable {
    case eof, empty, comment, tagLine, featureLine, ruleLine, backgroundLine, scenarioLine
    case examplesLine, stepLine, docStringSeparator, tableRow, language, other

    /// The name the official parser uses in its error messages.
    var grammarName: String {
        switch self {
        case .eof: "#EOF"
        case .empty: "#Empty"
        case .comment: "#Comment"
        case .tagLine: "#TagLine"
        case .featureLine: "#FeatureLine"
        case .ruleLine: "#RuleLine"
        case .backgroundLine: "#BackgroundLine"
        case .scenarioLine: "#ScenarioLine"
        case .examplesLine: "#ExamplesLine"
        case .stepLine: "#StepLine"
        case .docStringSeparator: "#DocStringSeparator"
        case .tableRow: "#TableRow"
        case .language: "#Language"
        case .other: "#Other"
        }
    }

    /// The name used in `.tokens` dumps.
    var dumpName: String { String(grammarName.dropFirst()) }
}

/// A cell of a table row or a tag of a tag line: its text and the column it starts at.
struct LineSpan {
    let column: Int
    let text: String
}

/// A line matched as one token type.
struct Token {
    var type: TokenType
    var line: Int
    var column: Int
    var keyword: String = ""
    var keywordType: StepKeywordType? = nil
    var text: String = ""
    var items: [LineSpan] = []
    /// The dialect in effect, set on feature lines only (it is the feature's language).
    var dialect: String = "en"
    /// A Markdown table's separator row matches #Comment so that the grammar skips it, but it is
    /// not a comment of the document.
    var isMarkup = false

    var location: Location { Location(line: line, column: column) }
}
