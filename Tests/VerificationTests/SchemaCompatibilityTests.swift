import Testing
import Verification

/// Avro's resolution rules as the compatibility levels apply them: each rule shown holding and shown failing.
@Suite("Schema compatibility")
struct SchemaCompatibilityTests {
    typealias Node = SchemaCompatibility.Node
    typealias Field = SchemaCompatibility.Field

    static func order(_ fields: [Field], named extra: [String: Node] = [:]) -> SchemaCompatibility.Schema {
        .init(root: .record(name: "shop.Order", fields: fields), named: extra)
    }
    static func field(_ name: String, _ type: String, default hasDefault: Bool = false, aliases: [String] = [])
        -> Field
    {
        Field(name: name, type: .primitive(type), hasDefault: hasDefault, aliases: aliases)
    }
    static let v1 = order([field("id", "long"), field("amount", "int")])

    static func problems(
        _ proposed: SchemaCompatibility.Schema, _ level: SchemaCompatibility.Level,
        versions: [SchemaCompatibility.Schema] = [v1]
    ) -> [String] {
        SchemaCompatibility.problems(proposed: proposed, versions: versions, level: level)
    }

    @Test func aFieldAddedWithADefaultIsFullyCompatible() {
        let v2 = Self.order([
            Self.field("id", "long"), Self.field("amount", "int"), Self.field("cur", "string", default: true),
        ])
        #expect(SchemaCompatibility.meets(proposed: v2, versions: [Self.v1], level: .full).holds)
        #expect(!SchemaCompatibility.breaks(proposed: v2, versions: [Self.v1], level: .full).holds)
    }

    @Test func aFieldAddedWithoutADefaultBreaksBackwardOnly() {
        let v2 = Self.order([Self.field("id", "long"), Self.field("amount", "int"), Self.field("cur", "string")])
        #expect(
            Self.problems(v2, .backward)
                == [
                    "the new schema cannot read what version 1 wrote: field cur is read but not written, "
                        + "and has no default"
                ])
        #expect(Self.problems(v2, .forward).isEmpty)
        #expect(!SchemaCompatibility.meets(proposed: v2, versions: [Self.v1], level: .full).holds)
        #expect(SchemaCompatibility.breaks(proposed: v2, versions: [Self.v1], level: .backward).holds)
    }

    @Test func promotionsWidenOneWay() {
        let widened = Self.order([Self.field("id", "long"), Self.field("amount", "double")])
        #expect(Self.problems(widened, .backward).isEmpty)
        #expect(
            Self.problems(widened, .forward)
                == ["version 1 cannot read what the new schema writes: amount: a double written cannot be read as int"])
        let text = SchemaCompatibility.Schema(root: .primitive("string"), named: [:])
        let raw = SchemaCompatibility.Schema(root: .primitive("bytes"), named: [:])
        #expect(SchemaCompatibility.readProblems(reader: raw, writer: text).isEmpty)
        #expect(
            !SchemaCompatibility.readProblems(reader: .init(root: .primitive("int"), named: [:]), writer: text).isEmpty)
    }

    @Test func aReaderAliasMatchesARenamedField() {
        let renamed = Self.order([Self.field("id", "long"), Self.field("total", "int", aliases: ["amount"])])
        #expect(Self.problems(renamed, .backward).isEmpty)
        #expect(!Self.problems(renamed, .forward).isEmpty)  // the old reader has no alias for total
    }

    @Test func enumSymbolsTheReaderLacksNeedItsDefault() {
        func status(_ symbols: [String], default fallback: String? = nil) -> SchemaCompatibility.Schema {
            Self.order([
                Field(
                    name: "s", type: .enumeration(name: "shop.S", symbols: symbols, default: fallback),
                    hasDefault: false)
            ])
        }
        let old = status(["NEW", "PAID"])
        #expect(
            SchemaCompatibility.problems(proposed: status(["NEW", "PAID", "GONE"]), versions: [old], level: .forward)
                == [
                    "version 1 cannot read what the new schema writes: s: enum symbols GONE written, unknown to the "
                        + "reader, which has no default symbol"
                ])
        #expect(
            SchemaCompatibility.problems(proposed: status(["NEW", "PAID", "GONE"]), versions: [old], level: .backward)
                .isEmpty)
        let tolerant = status(["NEW", "PAID"], default: "NEW")
        #expect(SchemaCompatibility.readProblems(reader: tolerant, writer: status(["NEW", "GONE"])).isEmpty)
    }

    @Test func unionsResolveBranchByBranch() {
        let optional = Self.order([
            Field(name: "id", type: .union([.primitive("null"), .primitive("long")]), hasDefault: true),
            Self.field("amount", "int"),
        ])
        #expect(Self.problems(optional, .backward).isEmpty)  // long written, read by the union's long branch
        #expect(
            Self.problems(optional, .forward)
                == ["version 1 cannot read what the new schema writes: id: a null written cannot be read as long"])
    }

    @Test func namedTypesMustKeepTheirNameAndSize() {
        let a = SchemaCompatibility.Schema(root: .fixed(name: "h.Hash", size: 16), named: [:])
        let b = SchemaCompatibility.Schema(root: .fixed(name: "h.Hash", size: 32), named: [:])
        #expect(
            SchemaCompatibility.readProblems(reader: a, writer: b) == [
                "fixed Hash (32 bytes) written, fixed Hash (16 bytes) read"
            ])
        let other = SchemaCompatibility.Schema(root: .record(name: "shop.Invoice", fields: []), named: [:])
        #expect(
            SchemaCompatibility.readProblems(reader: other, writer: Self.v1) == [
                "record Order written, record Invoice read"
            ])
    }

    @Test func recursiveRecordsResolve() {
        let list = Node.record(
            name: "L",
            fields: [
                Field(name: "next", type: .union([.primitive("null"), .reference("L")]), hasDefault: true)
            ])
        let schema = SchemaCompatibility.Schema(root: list, named: ["L": list])
        #expect(SchemaCompatibility.readProblems(reader: schema, writer: schema).isEmpty)
    }

    @Test func transitiveLevelsJudgeEveryVersion() {
        let first = Self.order([Self.field("id", "long")])
        let second = Self.order([Self.field("id", "long"), Self.field("note", "string", default: true)])
        let proposed = Self.order([Self.field("id", "long"), Self.field("note", "string")])
        #expect(Self.problems(proposed, .backward, versions: [first, second]).isEmpty)
        #expect(
            Self.problems(proposed, .backwardTransitive, versions: [first, second])
                == [
                    "the new schema cannot read what version 1 wrote: field note is read but not written, "
                        + "and has no default"
                ])
    }

    @Test func withoutAVersionNoClaimPasses() {
        #expect(!SchemaCompatibility.meets(proposed: Self.v1, versions: [], level: .backward).holds)
        #expect(!SchemaCompatibility.breaks(proposed: Self.v1, versions: [], level: .backward).holds)
    }
}
