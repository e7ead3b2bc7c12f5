import Foundation

/// A regular expression whose capture groups are known as a tree, so that a parameter type whose
/// own regexp has groups hands its transformer the inner groups.
public struct TreeRegexp: @unchecked Sendable {
    // NSRegularExpression is immutable and documented as thread-safe.
    let regex: NSRegularExpression
    let source: String
    let root: GroupShape

    struct GroupShape: Sendable {
        var source: String
        var children: [GroupShape]
    }

    init(_ source: String) throws {
        self.source = source
        self.regex = try NSRegularExpression(pattern: source, options: [])
        self.root = TreeRegexp.shape(of: source)
    }

    /// The capture groups of `source`, nested as they are written (non-capturing groups dissolve
    /// into their parent).
    static func shape(of source: String) -> GroupShape {
        let chars = Array(source.unicodeScalars)
        var stack: [(shape: GroupShape, start: Int, capturing: Bool)] = [
            (GroupShape(source: source, children: []), -1, true)
        ]
        var escaping = false
        var charClass = false
        for (i, c) in chars.enumerated() {
            if c == "[" && !escaping {
                charClass = true
            } else if c == "]" && !escaping {
                charClass = false
            } else if c == "(" && !escaping && !charClass {
                stack.append((GroupShape(source: "", children: []), i, !isNonCapturing(chars, i)))
            } else if c == ")" && !escaping && !charClass, stack.count > 1 {
                var group = stack.removeLast()
                if group.capturing {
                    group.shape.source = String(String.UnicodeScalarView(chars[(group.start + 1)..<i]))
                    stack[stack.count - 1].shape.children.append(group.shape)
                } else {
                    stack[stack.count - 1].shape.children += group.shape.children
                }
            }
            escaping = c == "\\" && !escaping
        }
        return stack[0].shape
    }

    private static func isNonCapturing(_ chars: [Unicode.Scalar], _ i: Int) -> Bool {
        guard i + 1 < chars.count, chars[i + 1] == "?" else { return false }
        // (?<name>…) captures; (?<=…) and (?<!…) are look-behinds.
        if i + 3 < chars.count, chars[i + 2] == "<", chars[i + 3] != "=", chars[i + 3] != "!" { return false }
        if i + 3 < chars.count, chars[i + 2] == "P", chars[i + 3] == "<" { return false }
        return true
    }

    /// A capture group of a match, nested as written; what a `testCase` message reports.
    public struct Group: Sendable {
        public var value: String?
        /// Offsets in Unicode scalars, -1 when the group did not take part.
        public var start: Int
        public var end: Int
        public var children: [Group]

        var values: [String?] { children.isEmpty ? [value] : children.map(\.value) }
    }

    /// The whole-text match as a tree of groups, or nil.
    func match(_ text: String) -> Group? {
        let ns = text as NSString
        guard let m = regex.firstMatch(in: text, options: [], range: NSRange(location: 0, length: ns.length)) else {
            return nil
        }
        var next = 0
        func build(_ shape: GroupShape) -> Group {
            let index = next
            next += 1
            let range = index < m.numberOfRanges ? m.range(at: index) : NSRange(location: NSNotFound, length: 0)
            var group = Group(value: nil, start: -1, end: -1, children: [])
            if range.location != NSNotFound {
                group.value = ns.substring(with: range)
                group.start = ns.substring(to: range.location).unicodeScalars.count
                group.end = group.start + group.value!.unicodeScalars.count
            }
            group.children = shape.children.map(build)
            return group
        }
        return build(root)
    }
}
