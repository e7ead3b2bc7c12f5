import Foundation
import Messages
/// What `kafka-bdd run` prints as it goes: `pretty` (every step), `progress` (a character per step)
/// or `summary` (only the end). Colours only on a terminal and never with NO_COLOR. It reads the
/// run's `RunQuery`; envelopes arrive one at a time, as the runner emits them.
public final class ConsoleFormatter: @unchecked Sendable {
    public enum Style: String, Sendable, CaseIterable { case pretty, progress, summary }

    private let style: Style
    private let strict: Bool
    private let colour: Bool
    private let write: (String) -> Void
    private var progressColumn = 0
    private var currentFeature = ""
    /// Attachments arrive before their step's result; pretty prints them under the step's line.
    private var pendingAttachments: [String] = []
    /// Parse errors printed as they came: the run's final message repeats them, and is not printed again.
    private var parseErrors = 0

    /// While a step runs: on a terminal its text and elapsed time redrawn in place every second;
    /// elsewhere (CI) a line every `interval` seconds, so a long step never looks like a hang.
    public struct Heartbeat: Sendable {
        public var terminal: Bool
        public var interval: Double
        public init(terminal: Bool, interval: Double) {
            self.terminal = terminal
            self.interval = interval
        }
        /// Standard output's kind decides.
        public static var automatic: Heartbeat {
            let terminal = isatty(1) != 0
            return Heartbeat(terminal: terminal, interval: terminal ? 1 : 10)
        }
    }

    private let heartbeat: Heartbeat?
    private let lock = NSLock()
    private var running: (text: String, since: Date, generation: Int)?
    private var generation = 0
    private var statusLineShown = false

    public init(
        style: Style, colour: Bool, heartbeat: Heartbeat? = .automatic, strict: Bool = true,
        write: @escaping (String) -> Void
    ) {
        self.strict = strict
        self.style = style
        self.colour = colour
        self.heartbeat = heartbeat
        self.write = write
    }

    private func emit(_ text: String) {
        lock.lock()
        defer { lock.unlock() }
        clearStatusLine()
        write(text)
    }

    private func clearStatusLine() {
        if statusLineShown { write("\r\u{1B}[K"); statusLineShown = false }
    }

    private func stepStarted(_ text: String) {
        guard let heartbeat else { return }
        lock.lock()
        generation += 1
        let mine = generation
        running = (TerminalText.safe(text), Date(), mine)
        lock.unlock()
        scheduleBeat(mine, after: heartbeat.interval)
    }

    private func stepEnded() {
        lock.lock()
        running = nil
        generation += 1
        clearStatusLine()
        lock.unlock()
    }

    private func scheduleBeat(_ mine: Int, after seconds: Double) {
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds) { [self] in
            guard let heartbeat else { return }
            lock.lock()
            guard let r = running, r.generation == mine else { lock.unlock(); return }
            let elapsed = Int(Date().timeIntervalSince(r.since).rounded())
            if heartbeat.terminal && style != .progress {
                write("\r\u{1B}[K⏱ \(r.text) — \(elapsed) s")
                statusLineShown = true
            } else {
                if style == .progress, progressColumn % 80 != 0 { write("\n"); progressColumn = 0 }
                write("  … still running (\(elapsed) s): \(r.text)\n")
            }
            lock.unlock()
            scheduleBeat(mine, after: heartbeat.interval)
        }
    }

    /// Input text (names, step texts, messages) is made terminal-safe here, before any colour of ours.
    private func paint(_ text: String, _ status: TestStepResultStatus) -> String {
        let text = TerminalText.safe(text)
        guard colour else { return text }
        let code =
            switch status {
            case .passed: "32"
            case .failed, .ambiguous: "31"
            case .undefined, .pending: "33"
            case .skipped: "36"
            case .unknown: "37"
            }
        return "\u{1B}[\(code)m\(text)\u{1B}[0m"
    }

    /// Prints what an envelope adds to the run; `query` has already been updated with it.
    public func handle(_ envelope: Envelope, query q: RunQuery) {
        switch envelope {
        case .parseError(let e):
            parseErrors += 1
            emit(
                TerminalText.safe("\(e.uri):\(e.error.location.line):\(e.error.location.column ?? 0): \(e.error.text)")
                    + "\n")
        case .testCaseStarted(let id, _, _, _):
            guard style == .pretty, let p = q.pickle(startedId: id) else { return }
            let lineage = q.lineage(of: p)
            if let feature = lineage?.feature, currentFeature != p.uri {
                currentFeature = p.uri
                emit("\n" + TerminalText.safe("\(feature.keyword): \(feature.name)  # \(p.uri)") + "\n")
            }
            let keyword = lineage?.scenario.keyword ?? "Scenario"
            emit("\n  " + TerminalText.safe("\(keyword): \(p.name)  # \(p.uri):\(p.location.line)") + "\n")
        case .testStepStarted(_, let stepId, _):
            stepStarted(text(ofStep: stepId, q))
        case .attachment(let a):
            guard style == .pretty, a.testCaseStartedId != nil else { return }
            pendingAttachments.append(Self.shown(a).map { "      \(TerminalText.safe($0))\n" }.joined())
        case .testCaseFinished(let id, _, _):
            guard style == .pretty, let seconds = q.testCaseSeconds(startedId: id) else { return }
            emit(
                "    "
                    + paint(
                        "\(q.status(startedId: id).lowercaseName) in \(Markup.fixed3(seconds)) s",
                        q.status(startedId: id)) + "\n")
        case .testStepFinished(let caseId, let stepId, let result, _):
            stepEnded()
            guard q.pickle(startedId: caseId) != nil else { return }
            switch style {
            case .pretty:
                // As cucumber's pretty formatter: a hook is shown only when it failed or attached something
                // (every domain's After hook runs in every scenario; listing each one buried the steps).
                if case .hook? = q.testStep(id: stepId)?.kind, result.status == .passed, pendingAttachments.isEmpty {
                    break
                }
                emit(
                    "    " + paint("\(HTMLFormatter.icon(result.status)) \(text(ofStep: stepId, q))", result.status)
                        + "\n")
                if let m = result.message, result.status != .passed {
                    let indented = m.split(separator: "\n").map { "        \($0)" }.joined(separator: "\n")
                    emit(paint(indented, result.status) + "\n")
                }
                if !pendingAttachments.isEmpty { emit(pendingAttachments.joined()); pendingAttachments = [] }
            case .progress:
                // Under the lock: the heartbeat also breaks the progress line.
                lock.lock()
                clearStatusLine()
                progressColumn += 1
                write(paint(progressChar(result.status), result.status) + (progressColumn % 80 == 0 ? "\n" : ""))
                lock.unlock()
            case .summary:
                break
            }
        case .testRunFinished(_, let success, let message, _, _):
            if style == .progress { emit("\n") }
            if let message, !success {
                let shown =
                    parseErrors == 1
                    ? "1 parse error, shown above"
                    : "\(parseErrors) parse errors, shown above"
                emit(paint("Run failed: \(parseErrors > 0 ? shown : message)", .failed) + "\n")
            }
            var counts: [TestStepResultStatus: Int] = [:]
            var failures: [String] = [], flaky: [String] = [], skipped: [String] = []
            var snippetsShown: [[String]: String] = [:]  // each set of snippets once, then where it was
            for started in q.testCasesStarted where q.testCaseFinished(startedId: started.id) != nil {
                let status = q.status(startedId: started.id)
                counts[status, default: 0] += 1
                if started.attempt > 0, status == .passed, let p = q.pickle(startedId: started.id) {
                    flaky.append("  \(p.uri):\(p.location.line) \(p.name) (passed on attempt \(started.attempt + 1))\n")
                }
                // A skip is a claim this cluster could not check: the summary says which and why, in a line.
                if status == .skipped, let p = q.pickle(startedId: started.id) {
                    let why =
                        q.mostSevereResult(startedId: started.id)?.message
                        .map { " — " + $0.drop { $0 == "\n" }.prefix { $0 != "\n" } } ?? ""
                    skipped.append("  \(p.uri):\(p.location.line) \(p.name)\(why)\n")
                }
                if status > .skipped, let p = q.pickle(startedId: started.id) {
                    let seconds = q.testCaseSeconds(startedId: started.id).map { ", \(Markup.fixed3($0)) s" } ?? ""
                    var entry = "\(p.uri):\(p.location.line) \(p.name) (\(status.lowercaseName)\(seconds))\n"
                    if let first = q.notPassedStep(startedId: started.id) {
                        let more =
                            first.status == .undefined
                            ? Array(q.undefinedSteps(startedId: started.id).dropFirst()) : []
                        for d in [first] + more {
                            entry += "      \(d.keyword)\(d.text)\(d.location.map { "  # \($0)" } ?? "")\n"
                            let earlier = d.snippets.isEmpty ? nil : snippetsShown[d.snippets]
                            if earlier == nil, !d.snippets.isEmpty {
                                snippetsShown[d.snippets] = d.location ?? d.text
                            }
                            entry += d.explanation(sameSnippetsAs: earlier)
                                .split(separator: "\n", omittingEmptySubsequences: false)
                                .map { "        \($0)\n" }.joined()
                        }
                    }
                    failures.append(entry)
                }
            }
            if !skipped.isEmpty, style != .pretty {  // pretty showed each reason in place
                emit("\nSkipped (not verified here):\n" + TerminalText.safe(skipped.joined()))
            }
            if !failures.isEmpty { emit("\nNot passed:\n" + failures.map { "  \(TerminalText.safe($0))" }.joined()) }
            // With --no-strict, undefined and pending do not fail the run: say so, and do not count them as failed.
            let tolerated: [TestStepResultStatus] = strict ? [] : [.undefined, .pending]
            let failed = counts.filter { $0.key > .skipped && !tolerated.contains($0.key) }.values.reduce(0, +)
            let allowed = tolerated.compactMap { s in counts[s].map { "\($0) \(s.lowercaseName)" } }
            if !allowed.isEmpty { emit("tolerated by --no-strict: \(allowed.joined(separator: ", "))\n") }
            if !flaky.isEmpty {
                emit("\nFlaky (failed, then passed on a retry):\n" + TerminalText.safe(flaky.joined()))
            }
            emit("\(counts[.passed] ?? 0) passed, \(failed) failed, \(counts[.skipped] ?? 0) skipped\n")
        default:
            break
        }
    }

    /// A pickle step's text, or a hook's keyword and name.
    private func text(ofStep id: String, _ q: RunQuery) -> String {
        switch q.testStep(id: id)?.kind {
        case .pickleStep(let psId, _, _)?:
            q.pickleStep(id: psId).map { ps in
                (ps.astNodeIds.first.flatMap { q.step(id: $0)?.keyword } ?? "") + ps.text
            } ?? ""
        case .hook(let hookId)?:
            q.hooks[hookId].map { q.hookKeyword(hookId: $0.id) + " \($0.name ?? "hook")" } ?? "hook"
        case nil: "hook"
        }
    }

    /// One line for an attachment: "table 3×6", "svg chart", "log 12 lines", "image/png 2.1 kB".
    /// What pretty prints for an attachment: a short log's text and a small table's rows in full (the
    /// evidence of a passing step, e.g. a dry run's plan or measured percentiles), anything else as its
    /// one-line summary. Control characters from the input are shown as "�", never sent to the terminal.
    static func shown(_ a: Attachment, maxLines: Int = 8, width: Int = 160) -> [String] {
        func clean(_ line: Substring) -> String {
            let text = String(
                String.UnicodeScalarView(
                    line.unicodeScalars.map {
                        $0.properties.generalCategory == .control ? "\u{FFFD}" : $0
                    }))
            return text.count > width ? String(text.prefix(width)) + "…" : text
        }
        guard a.contentEncoding == .identity else { return ["📎 " + summary(of: a)] }
        if a.mediaType == "text/markdown", let rows = HTMLFormatter.markdownTable(a.body), rows.count <= maxLines {
            return ["📎 table"] + rows.map { "   " + clean(Substring($0.joined(separator: " │ "))) }
        }
        if a.mediaType == "text/x.cucumber.log+plain" {
            let lines = a.body.split(separator: "\n", omittingEmptySubsequences: false)
            if lines.count <= maxLines {
                return lines.enumerated().map { ($0.offset == 0 ? "📎 " : "   ") + clean($0.element) }
            }
        }
        return ["📎 " + summary(of: a)]
    }

    static func summary(of a: Attachment) -> String {
        let name = a.fileName.map { " \($0)" } ?? ""
        if a.contentEncoding == .identity {
            if a.mediaType == "image/svg+xml" { return "svg chart\(name)" }
            if a.mediaType == "text/markdown", let rows = HTMLFormatter.markdownTable(a.body) {
                return "table \(rows.count)×\(rows.map(\.count).max() ?? 0)\(name)"
            }
            let lines = a.body.split(separator: "\n", omittingEmptySubsequences: false).count
            if lines > 1 { return "\(a.mediaType) \(lines) lines\(name)" }
            return "\(a.mediaType): \(a.body.prefix(60))\(a.body.count > 60 ? "…" : "")"
        }
        let bytes = a.body.utf8.count * 3 / 4
        let size = bytes >= 1024 ? String(format: "%.1f kB", Double(bytes) / 1024) : "\(bytes) B"
        return "\(a.mediaType) \(size)\(name)"
    }

    private func progressChar(_ s: TestStepResultStatus) -> String {
        switch s {
        case .passed: "."
        case .failed: "F"
        case .skipped: "-"
        case .undefined: "U"
        case .pending: "P"
        case .ambiguous: "A"
        case .unknown: "?"
        }
    }
}
