import Messages
/// The keywords of one Gherkin spoken language, as listed in cucumber's gherkin-languages.json.
public struct Dialect: Sendable {
    public let language: String
    public let name: String
    public let native: String
    public let feature: [String]
    public let rule: [String]
    public let background: [String]
    public let scenario: [String]
    public let scenarioOutline: [String]
    public let examples: [String]
    public let given: [String]
    public let when: [String]
    public let then: [String]
    public let and: [String]
    public let but: [String]

    /// Step keywords longest first, so "Given " is tried before a shorter keyword it starts with.
    let stepKeywordsLongestFirst: [String]
    /// A keyword used by several step kinds ("* ") has no single type: it is `.unknown`.
    let stepKeywordTypes: [String: StepKeywordType]
    /// The type of each of `stepKeywordsLongestFirst`, in the same order.
    let stepKeywordTypesLongestFirst: [StepKeywordType]

    init(
        language: String, name: String, native: String, feature: [String], rule: [String],
        background: [String], scenario: [String], scenarioOutline: [String], examples: [String],
        given: [String], when: [String], then: [String], and: [String], but: [String]
    ) {
        self.language = language
        self.name = name
        self.native = native
        self.feature = feature
        self.rule = rule
        self.background = background
        self.scenario = scenario
        self.scenarioOutline = scenarioOutline
        self.examples = examples
        self.given = given
        self.when = when
        self.then = then
        self.and = and
        self.but = but
        let all = given + when + then + and + but
        // A stable sort keeps the dialect's own order among keywords of equal length.
        self.stepKeywordsLongestFirst = all.enumerated()
            .sorted {
                $0.element.count != $1.element.count ? $0.element.count > $1.element.count : $0.offset < $1.offset
            }
            .map(\.element)
        var kinds: [String: [StepKeywordType]] = [:]
        for k in given { kinds[k, default: []].append(.context) }
        for k in when { kinds[k, default: []].append(.action) }
        for k in then { kinds[k, default: []].append(.outcome) }
        for k in and + but { kinds[k, default: []].append(.conjunction) }
        let types = kinds.mapValues { $0.count > 1 ? StepKeywordType.unknown : $0[0] }
        self.stepKeywordTypes = types
        self.stepKeywordTypesLongestFirst = stepKeywordsLongestFirst.map { types[$0]! }
    }

    public static func named(_ language: String) -> Dialect? { builtin[language] }
    public static var languages: [String] { builtin.keys.sorted() }
    public static let english = builtin["en"]!
}
