import Messages
import Foundation

/// The legacy Cucumber JSON report (cucumber-js's shape), which CI plugins still read.
public struct CucumberJSONFormatter {
    public init() {}

    public func render(_ q: MessageQuery) throws -> String {
        let model = ReportModel(q)
        var features: [[String: Any]] = []
        var featureIndex: [String: Int] = [:]
        func slug(_ s: String) -> String { s.lowercased().replacingOccurrences(of: " ", with: "-") }
        for document in q.documents {
            guard let feature = document["feature"] as? [String: Any], let uri = document["uri"] as? String else { continue }
            featureIndex[uri] = features.count
            features.append([
                "uri": uri, "id": slug(feature["name"] as? String ?? uri), "keyword": feature["keyword"] as? String ?? "Feature",
                "name": feature["name"] as? String ?? "", "description": feature["description"] as? String ?? "",
                "line": ((feature["location"] as? [String: Any])?["line"] as? Int) ?? 1,
                "tags": (feature["tags"] as? [[String: Any]] ?? []).map { ["name": $0["name"] as? String ?? "",
                                                                          "line": (($0["location"] as? [String: Any])?["line"] as? Int) ?? 1] },
                "elements": [[String: Any]](),
            ])
        }
        for c in model.cases {
            guard let fi = featureIndex[c.uri] else { continue }
            let steps: [[String: Any]] = c.steps.map { s in
                var result: [String: Any] = ["status": Self.status(s.status), "duration": Int(s.seconds * 1e9)]
                if let m = s.message, s.status != "PASSED" { result["error_message"] = m }
                if s.isHook {
                    return ["keyword": s.keyword, "hidden": true, "result": result]
                }
                var step: [String: Any] = ["keyword": s.keyword + " ", "name": s.text, "line": s.line ?? 0, "result": result,
                                           "arguments": [[String: Any]]()]
                if s.isBackground { step["isBackground"] = true }
                if let loc = s.location { step["match"] = ["location": loc] }
                var args: [[String: Any]] = []
                if let d = s.docString { args.append(["content": d, "line": (s.line ?? 0) + 1]) }
                if let t = s.table { args.append(["rows": t.map { ["cells": $0] }]) }
                step["arguments"] = args
                return step
            }
            let element: [String: Any] = [
                "id": "\(features[fi]["id"]!);\(slug(c.name))", "keyword": "Scenario", "type": "scenario", "name": c.name,
                "description": "", "line": c.line, "tags": c.tags.map { ["name": $0, "line": c.line - 1] }, "steps": steps,
            ]
            var elements = features[fi]["elements"] as! [[String: Any]]
            elements.append(element)
            features[fi]["elements"] = elements
        }
        let data = try JSONSerialization.data(withJSONObject: features, options: [.prettyPrinted, .sortedKeys])
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    static func status(_ s: String) -> String {
        switch s {
        case "PASSED": "passed"
        case "SKIPPED": "skipped"
        case "PENDING": "pending"
        case "UNDEFINED", "UNKNOWN": "undefined"
        default: "failed"
        }
    }
}

/// `uri:line` of every test case that did not pass (nor was skipped), for re-running just those.
public struct RerunFormatter {
    public init() {}

    public func render(_ q: MessageQuery) -> String {
        var byUri: [(String, [Int])] = []
        for c in ReportModel(q).cases where c.status != "PASSED" && c.status != "SKIPPED" {
            if let i = byUri.firstIndex(where: { $0.0 == c.uri }) { byUri[i].1.append(c.line) } else { byUri.append((c.uri, [c.line])) }
        }
        return byUri.map { uri, lines in ([uri] + lines.map(String.init)).joined(separator: ":") }.joined(separator: "\n") + (byUri.isEmpty ? "" : "\n")
    }
}
