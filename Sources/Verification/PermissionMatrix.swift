/// A least-privilege matrix: for each principal, operation and resource, whether Kafka must allow it.
/// Read from a Gherkin table with the columns `principal | operation | resource | access`, where a
/// resource is `topic:NAME`, `group:NAME` or `cluster`, and access is `allowed` or `denied`.
public struct PermissionMatrix: Sendable, Equatable {
    public enum Operation: String, Sendable, CaseIterable {
        case read = "Read", write = "Write", describe = "Describe", create = "Create", delete = "Delete",
            alter = "Alter", describeConfigs = "DescribeConfigs", alterConfigs = "AlterConfigs"
    }

    public struct Resource: Sendable, Hashable, CustomStringConvertible {
        public enum Kind: String, Sendable { case topic, group, cluster }
        public var kind: Kind
        public var name: String

        public init(kind: Kind, name: String) {
            self.kind = kind
            self.name = name
        }

        public var description: String { kind == .cluster ? "cluster" : "\(kind.rawValue):\(name)" }
    }

    public struct Entry: Sendable, Equatable, CustomStringConvertible {
        public var principal: String
        public var operation: Operation
        public var resource: Resource
        public var allowed: Bool

        public init(principal: String, operation: Operation, resource: Resource, allowed: Bool) {
            self.principal = principal
            self.operation = operation
            self.resource = resource
            self.allowed = allowed
        }

        public var description: String {
            "\(principal) \(operation.rawValue) \(resource): \(allowed ? "allowed" : "denied")"
        }
    }

    public var entries: [Entry]

    public init(entries: [Entry]) { self.entries = entries }

    public struct TableError: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// From a table's rows, the first being the header; errors name the row (1 = the first data row).
    public init(table: [[String]]) throws(TableError) {
        let expected = ["principal", "operation", "resource", "access"]
        guard let header = table.first, header.map({ $0.lowercased() }) == expected else {
            throw TableError(
                description: "the permission table needs the columns | "
                    + expected.joined(separator: " | ") + " |")
        }
        var entries: [Entry] = []
        for (i, row) in table.dropFirst().enumerated() {
            let at = "row \(i + 1)"
            guard row.count == 4, !row[0].isEmpty else { throw TableError(description: "\(at): four cells needed") }
            guard let op = Operation.allCases.first(where: { $0.rawValue.lowercased() == row[1].lowercased() }) else {
                throw TableError(
                    description: "\(at): operation \"\(row[1])\" is not one of "
                        + Operation.allCases.map(\.rawValue).joined(separator: ", "))
            }
            let resource: Resource
            if row[2].lowercased() == "cluster" {
                resource = Resource(kind: .cluster, name: "kafka-cluster")
            } else if let colon = row[2].firstIndex(of: ":"),
                let kind = Resource.Kind(rawValue: row[2][..<colon].lowercased()), kind != .cluster,
                !row[2][row[2].index(after: colon)...].isEmpty
            {
                resource = Resource(kind: kind, name: String(row[2][row[2].index(after: colon)...]))
            } else {
                throw TableError(description: "\(at): resource \"\(row[2])\" is not topic:NAME, group:NAME or cluster")
            }
            guard let allowed = ["allowed": true, "denied": false][row[3].lowercased()] else {
                throw TableError(description: "\(at): access \"\(row[3])\" is neither allowed nor denied")
            }
            entries.append(Entry(principal: row[0], operation: op, resource: resource, allowed: allowed))
        }
        guard entries.contains(where: \.allowed), entries.contains(where: { !$0.allowed }) else {
            throw TableError(
                description: "the table needs allowed and denied rows: a matrix checked in one "
                    + "direction only cannot tell least privilege from no security or no access")
        }
        self.init(entries: entries)
    }

    /// The ACLs to grant: exactly the allowed rows (nothing is granted for a denied one).
    public var grants: [Entry] { entries.filter(\.allowed) }

    /// What the broker answered when a principal attempted an operation.
    public enum Outcome: Sendable, Equatable, CustomStringConvertible {
        case succeeded
        /// An authorization error: TOPIC_AUTHORIZATION_FAILED, GROUP_AUTHORIZATION_FAILED, …
        case denied(error: String)
        /// Any other failure (a timeout, an unknown topic): neither proof of access nor of denial.
        case failed(error: String)

        public var description: String {
            switch self {
            case .succeeded: "succeeded"
            case .denied(let e): "denied (\(e))"
            case .failed(let e): "failed (\(e))"
            }
        }
    }

    public static let authorizationErrors: Set<String> = [
        "TOPIC_AUTHORIZATION_FAILED", "GROUP_AUTHORIZATION_FAILED", "CLUSTER_AUTHORIZATION_FAILED",
        "TRANSACTIONAL_ID_AUTHORIZATION_FAILED", "DELEGATION_TOKEN_AUTHORIZATION_FAILED",
    ]

    /// Classifies an error name the client reported.
    public static func outcome(errorName: String?) -> Outcome {
        guard let errorName else { return .succeeded }
        let bare = errorName.hasPrefix("_") ? String(errorName.dropFirst()) : errorName
        return authorizationErrors.contains(bare.uppercased()) ? .denied(error: bare) : .failed(error: bare)
    }

    /// Each entry against what was observed for it (in the same order): an allowed entry must have
    /// succeeded and a denied one must have met an authorization error — a timeout or other failure
    /// proves neither, and an entry never attempted fails.
    public func verdict(observed: [Entry.Key: Outcome]) -> Verdict {
        var problems: [String] = []
        for e in entries {
            guard let outcome = observed[e.key] else {
                problems.append("\(e.principal) \(e.operation.rawValue) \(e.resource) was not attempted")
                continue
            }
            switch (e.allowed, outcome) {
            case (true, .succeeded), (false, .denied): continue
            case (true, _), (false, _):
                problems.append(
                    "\(e.principal) \(e.operation.rawValue) \(e.resource) must be "
                        + "\(e.allowed ? "allowed" : "denied by the authorizer"), but it \(outcome)")
            }
        }
        let allowed = entries.filter(\.allowed).count
        return Verdict(
            problems,
            context: "\(entries.count) entries: \(allowed) allowed, "
                + "\(entries.count - allowed) denied")
    }
}

extension PermissionMatrix.Entry {
    public struct Key: Sendable, Hashable {
        public var principal: String
        public var operation: PermissionMatrix.Operation
        public var resource: PermissionMatrix.Resource

        public init(principal: String, operation: PermissionMatrix.Operation, resource: PermissionMatrix.Resource) {
            self.principal = principal
            self.operation = operation
            self.resource = resource
        }
    }

    public var key: Key { Key(principal: principal, operation: operation, resource: resource) }
}

/// Secrets that must never reach a report: every place one of them occurs.
public enum SecretLeaks {
    /// `documents` are (name, text); a secret shorter than 6 characters is refused (it would match by chance).
    public static func find(_ secrets: [String], in documents: [(name: String, text: String)]) -> Verdict {
        var problems: [String] = []
        for secret in secrets where secret.count < 6 {
            problems.append("a secret of \(secret.count) characters is too short to search for")
        }
        for (name, text) in documents {
            for (i, secret) in secrets.enumerated() where secret.count >= 6 && text.contains(secret) {
                problems.append("secret \(i + 1) appears in \(name)")
            }
        }
        return Verdict(problems)
    }
}
