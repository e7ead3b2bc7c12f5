import Foundation
import Gherkin
import Messages
import Testing
import TestSupport

/// The pretty printer (what `kafka-bdd lsp` formats with): cucumber's layout on a hand-written file, and on
/// every feature file of the project and of the official good testdata, idempotent and keeping the pickles.
@Suite("Gherkin pretty formatter")
struct PrettyFormatterTests {
    static func pretty(_ text: String, uri: String = "x.feature") -> String? {
        FeatureFile(uri: uri, source: text).document.map(PrettyFormatter.format)
    }

    @Test func aMessyFileGetsCucumbersLayout() {
        let messy = """
            #comment
            @a   @b
            Feature:   Orders
              A description line.
            Background:
            Given a 3-broker cluster
              Rule: one
                    @slow
                Scenario Outline: o
                When I send <n> to "x"
                  | name | count |
                  | a|1|
                  | long name | 22 |
                  | pipe \\| in | 3 |
                Then it says:
                  ```json
                  {"a": 1}
                  ```
                 Examples:   rows
                 |n|
                 |10|
            """
        let expected = """
            # comment
            @a @b
            Feature: Orders
              A description line.

              Background:
                Given a 3-broker cluster

              Rule: one

                @slow
                Scenario Outline: o
                  When I send <n> to "x"
                    | name       | count |
                    | a          |     1 |
                    | long name  |    22 |
                    | pipe \\| in |     3 |
                  Then it says:
                    ```json
                    {"a": 1}
                    ```

                  Examples: rows
                    | n  |
                    | 10 |

            """
        #expect(Self.pretty(messy) == expected)
    }

    static var files: [URL] {
        var out: [URL] = []
        let features = Paths.packageRoot.appendingPathComponent("Features")
        for name in (try? FileManager.default.contentsOfDirectory(atPath: features.path)) ?? []
        where name.hasSuffix(".feature") {
            out.append(features.appendingPathComponent(name))
        }
        if let good = Paths.sharedFolder("conformance/gherkin/good") {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: good.path)) ?? []
            where name.hasSuffix(".feature") {
                out.append(good.appendingPathComponent(name))
            }
        }
        return out.sorted { $0.path < $1.path }
    }

    @Test func formattingIsIdempotentAndKeepsThePickles() throws {
        var checked = 0
        for url in Self.files {
            let source = try String(contentsOf: url, encoding: .utf8)
            let file = FeatureFile(uri: url.lastPathComponent, source: source)
            guard file.errors.isEmpty, let document = file.document else { continue }
            let once = PrettyFormatter.format(document)
            let reparsed = FeatureFile(uri: url.lastPathComponent, source: once)
            #expect(reparsed.errors.isEmpty, "\(url.lastPathComponent): \(reparsed.errors.map(\.message))")
            guard let again = reparsed.document else { continue }
            #expect(PrettyFormatter.format(again) == once, "\(url.lastPathComponent) is not idempotent")
            func meaning(_ f: FeatureFile) -> [String] {
                f.pickles.map { p in
                    let steps: [String] = p.steps.map { s in
                        let rows: [String] = s.argument?.dataTable?.rows.map { $0.joined(separator: "¦") } ?? []
                        return s.text + rows.joined(separator: "/") + (s.argument?.docString?.content ?? "")
                    }
                    let tags: [String] = p.tags.map(\.name)
                    return p.name + "|" + tags.joined(separator: ",") + "|" + steps.joined(separator: ";")
                }
            }
            #expect(meaning(reparsed) == meaning(file), "\(url.lastPathComponent) changed meaning")
            checked += 1
        }
        #expect(checked >= 15, "only \(checked) files checked")
    }
}
