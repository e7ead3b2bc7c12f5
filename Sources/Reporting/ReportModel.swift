import Messages
import Foundation

/// Test cases of a message stream, shaped for the human-readable reports (HTML, console, JSON).
public struct ReportModel {
    public struct StepLine {
        public var keyword: String
        public var text: String
        public var line: Int?
        public var isHook: Bool
        public var isBackground: Bool
        public var status: String
        public var seconds: Double
        public var message: String?
        public var location: String?
        public var attachments: [[String: Any]]
        public var docString: String?
        public var table: [[String]]?
    }

    public struct Case {
        public var uri: String
        public var line: Int
        public var name: String
        public var featureName: String
        public var ruleName: String?
        public var tags: [String]
        public var status: String
        public var seconds: Double
        public var steps: [StepLine]

        /// The reason a skipped or failed case shows: its first non-passing step's message.
        public var reason: String? { steps.first { $0.status != "PASSED" && $0.message != nil }?.message }
        /// The study-plan card the case belongs to (`@KAF-07` → `KAF-07`), or nil.
        public var card: String? {
            tags.first { $0.hasPrefix("@KAF-") || $0.lowercased() == "@capstone" }.map { String($0.dropFirst()) }
        }
    }

    public var cases: [Case] = []
    public var success: Bool
    public var seconds: Double
    public var parseErrors: [String]

    public init(_ q: MessageQuery) {
        success = (q.testRunFinished?["success"] as? Bool) ?? false
        seconds = q.testRunSeconds ?? 0
        parseErrors = q.parseErrors.map { $0["message"] as? String ?? "parse error" }
        for started in q.testCasesStarted {
            guard let id = started["id"] as? String, let pickle = q.pickle(ofStarted: started) else { continue }
            let lineage = q.lineage(of: pickle)
            let backgroundStepIds = Set((lineage?.feature?["children"] as? [[String: Any]] ?? []).compactMap { $0["background"] as? [String: Any] }
                .flatMap { ($0["steps"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String } })
            var steps: [StepLine] = []
            for (finished, step) in q.stepResults(startedId: id) {
                let result = finished["testStepResult"] as? [String: Any] ?? [:]
                let status = result["status"] as? String ?? "UNKNOWN"
                let seconds = MessageQuery.seconds(result["duration"])
                let attachments = q.attachments(testCaseStartedId: id, testStepId: step["id"] as? String ?? "")
                var message = result["message"] as? String
                if let psId = step["pickleStepId"] as? String, let ps = q.pickleStep(id: psId) {
                    let astId = (ps["astNodeIds"] as? [String])?.first ?? ""
                    let ast = q.astNode(id: astId)
                    let location = ast?["location"] as? [String: Any]
                    let defIds = step["stepDefinitionIds"] as? [String] ?? []
                    let def = defIds.count == 1 ? q.stepDefinitions[defIds[0]] : nil
                    let ref = (def?["sourceReference"] as? [String: Any])
                    let refText = ref.map { "\($0["uri"] as? String ?? ""):\((($0["location"] as? [String: Any])?["line"] as? Int) ?? 0)" }
                    if status == "UNDEFINED", message == nil {
                        let snippet = q.suggestions(pickleStepId: psId).first.flatMap { ($0["snippets"] as? [[String: Any]])?.first?["code"] as? String }
                        message = "Undefined step. Define it with:\n" + (snippet ?? "(no snippet)")
                    }
                    let argument = ps["argument"] as? [String: Any]
                    steps.append(StepLine(keyword: (ast?["keyword"] as? String ?? "").trimmingCharacters(in: .whitespaces),
                                          text: ps["text"] as? String ?? "", line: location?["line"] as? Int, isHook: false,
                                          isBackground: backgroundStepIds.contains(astId), status: status, seconds: seconds, message: message,
                                          location: refText, attachments: attachments,
                                          docString: (argument?["docString"] as? [String: Any])?["content"] as? String,
                                          table: ((argument?["dataTable"] as? [String: Any])?["rows"] as? [[String: Any]])?.map { r in
                                              (r["cells"] as? [[String: Any]] ?? []).map { $0["value"] as? String ?? "" } }))
                } else {
                    let hook = q.hooks[step["hookId"] as? String ?? ""]
                    let type = hook?["type"] as? String ?? ""
                    let name = (type.hasPrefix("BEFORE") ? "Before" : "After") + ((hook?["name"] as? String).map { " \($0)" } ?? "")
                    steps.append(StepLine(keyword: name, text: "", line: nil, isHook: true, isBackground: false, status: status,
                                          seconds: seconds, message: message, location: nil, attachments: attachments, docString: nil, table: nil))
                }
            }
            let worst = q.mostSevereResult(startedId: id)?["status"] as? String ?? "PASSED"
            cases.append(Case(uri: pickle["uri"] as? String ?? "", line: (pickle["location"] as? [String: Any])?["line"] as? Int ?? 0,
                              name: pickle["name"] as? String ?? "", featureName: lineage?.feature?["name"] as? String ?? "",
                              ruleName: lineage?.rule?["name"] as? String,
                              tags: (pickle["tags"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String },
                              status: worst, seconds: q.testCaseSeconds(startedId: id) ?? 0, steps: steps))
        }
    }

    public func count(_ status: String) -> Int { cases.count { $0.status == status } }
}
