import Messages
import Foundation

/// The legacy Cucumber JSON report (cucumber-js's shape), which CI plugins still read.
public struct CucumberJSONFormatter {
    public init() {}

    public func render(_ q: RunQuery) throws -> String {
        var features: [JSONFeature] = []
        var featureIndex: [String: Int] = [:]
        func slug(_ s: String) -> String { s.lowercased().replacingOccurrences(of: " ", with: "-") }
        for document in q.documents {
            guard let feature = document.feature, let uri = document.uri else { continue }
            featureIndex[uri] = features.count
            features.append(
                JSONFeature(
                    uri: uri, id: slug(feature.name), keyword: feature.keyword.isEmpty ? "Feature" : feature.keyword,
                    name: feature.name, description: feature.description, line: feature.location.line,
                    tags: feature.tags.map { JSONTag(name: $0.name, line: $0.location.line) }, elements: []))
        }
        for c in ReportModel(q).cases {
            guard let fi = featureIndex[c.uri] else { continue }
            let steps = c.steps.map { s in
                let result = JSONResult(
                    status: Self.status(s.status), duration: Int(s.seconds * 1e9),
                    errorMessage: s.status != .passed ? s.message : nil)
                if s.isHook { return JSONStep(keyword: s.keyword, hidden: true, result: result) }
                var arguments: [JSONArgument] = []
                if let d = s.docString { arguments.append(JSONArgument(content: d, line: (s.line ?? 0) + 1)) }
                if let t = s.table { arguments.append(JSONArgument(rows: t.map { JSONArgument.Row(cells: $0) })) }
                return JSONStep(
                    keyword: s.keyword + " ", name: s.text, line: s.line ?? 0, result: result,
                    arguments: arguments, isBackground: s.isBackground ? true : nil,
                    match: s.location.map { JSONStep.Match(location: $0) })
            }
            features[fi].elements.append(
                JSONElement(
                    id: "\(features[fi].id);\(slug(c.name))", name: c.name, line: c.line,
                    tags: c.tags.map { JSONTag(name: $0, line: c.line - 1) }, steps: steps))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(features), as: UTF8.self) + "\n"
    }

    static func status(_ s: TestStepResultStatus) -> String {
        switch s {
        case .passed: "passed"
        case .skipped: "skipped"
        case .pending: "pending"
        case .undefined, .unknown: "undefined"
        case .failed, .ambiguous: "failed"
        }
    }

    struct JSONFeature: Encodable {
        var uri, id, keyword, name, description: String
        var line: Int
        var tags: [JSONTag]
        var elements: [JSONElement]
    }

    struct JSONTag: Encodable {
        var name: String
        var line: Int
    }

    struct JSONElement: Encodable {
        var id: String
        var keyword = "Scenario"
        var type = "scenario"
        var name: String
        var description = ""
        var line: Int
        var tags: [JSONTag]
        var steps: [JSONStep]

        init(id: String, name: String, line: Int, tags: [JSONTag], steps: [JSONStep]) {
            self.id = id
            self.name = name
            self.line = line
            self.tags = tags
            self.steps = steps
        }
    }

    /// A Gherkin step, or a hook (`hidden`, with only a keyword and a result).
    struct JSONStep: Encodable {
        struct Match: Encodable { var location: String }
        var keyword: String
        var name: String?
        var line: Int?
        var hidden: Bool?
        var result: JSONResult
        var arguments: [JSONArgument]?
        var isBackground: Bool?
        var match: Match?
    }

    struct JSONResult: Encodable {
        var status: String
        var duration: Int
        var errorMessage: String?

        enum CodingKeys: String, CodingKey {
            case status, duration
            case errorMessage = "error_message"
        }
    }

    /// A doc string (`content`, `line`) or a data table (`rows`).
    struct JSONArgument: Encodable {
        struct Row: Encodable { var cells: [String] }
        var content: String?
        var line: Int?
        var rows: [Row]?
    }
}

/// `uri:line` of every test case that did not pass (nor was skipped), for re-running just those.
public struct RerunFormatter {
    public init() {}

    public func render(_ q: RunQuery) -> String {
        var byUri: [(String, [Int])] = []
        for c in ReportModel(q).cases where c.status != .passed && c.status != .skipped {
            if let i = byUri.firstIndex(where: { $0.0 == c.uri }) {
                byUri[i].1.append(c.line)
            } else {
                byUri.append((c.uri, [c.line]))
            }
        }
        return byUri.map { uri, lines in ([uri] + lines.map(String.init)).joined(separator: ":") }.joined(
            separator: "\n") + (byUri.isEmpty ? "" : "\n")
    }
}
