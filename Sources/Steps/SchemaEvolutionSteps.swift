import Runtime
import KafkaClient
import Drills
import Verification

/// Sentences about schema evolution (KAF-09): a subject's versions and a proposed change, judged by Avro's
/// schema resolution rules for a registry's compatibility levels. Pure: no registry, any cluster.
enum SchemaEvolutionSteps {
    struct State: Sendable {
        var versions: [String: [SchemaCompatibility.Schema]] = [:]
        var proposed: [String: SchemaCompatibility.Schema] = [:]
    }
    enum Key: WorldKey { static var defaultValue: State { State() } }

    static func register(_ code: inout SupportCode, _ env: KafkaEnvironment) {
        code.parameterType(
            "compatibility", regexps: SchemaCompatibility.Level.allCases.map(\.rawValue), typeName: "Level",
            useForSnippets: false,
            description: SchemaCompatibility.Level.allCases.map { "`\($0.rawValue)`" }.joined(separator: ", ")
        ) { g in
            SchemaCompatibility.Level(rawValue: g[0] ?? "")
        }

        code.given(
            "subject {string} has the Avro schema:",
            doc: "Registers the schema (JSON, as a doc string) as the subject's next version, oldest first, in "
                + "the scenario (no schema registry is contacted): the versions a proposed schema is judged "
                + "against. Field defaults, aliases (of fields and of named types) and enum defaults are read; "
                + "they decide resolution. A schema a registry refuses — a default that is not a value of its "
                + "field's type (a union's first branch), a field named twice, an enum default not among its "
                + "symbols — fails the step.",
            example: #"Given subject "orders-value" has the Avro schema:"#
        ) { (ctx, subject: String) in
            let schema = try parsed(ctx)
            ctx.world.update(Key.self) { $0.versions[subject, default: []].append(schema) }
        }

        code.when(
            "a new Avro schema is proposed for subject {string}:",
            doc: "The schema (JSON, as a doc string) the next compatibility steps judge against the subject's "
                + "registered versions.",
            example: #"When a new Avro schema is proposed for subject "orders-value":"#
        ) { (ctx, subject: String) in
            let schema = try parsed(ctx)
            ctx.world.update(Key.self) { $0.proposed[subject] = schema }
        }

        code.then(
            "the new schema of subject {string} is {compatibility} compatible",
            doc: "Judged by Avro's schema resolution rules (fields and named types matched by name or the "
                + "reader's aliases, a "
                + "field only the reader has needs a default, int→long→float→double and string↔bytes "
                + "promotions, enum symbols the reader lacks need its default symbol, unions branch by branch): "
                + "BACKWARD — the new schema reads what the last version wrote; FORWARD — the last version "
                + "reads what the new one writes; FULL — both; _TRANSITIVE — against every version. Fails "
                + "naming each field that does not resolve, and when no version is registered.",
            example: #"Then the new schema of subject "orders-value" is BACKWARD compatible"#
        ) { (ctx, subject: String, level: SchemaCompatibility.Level) in
            let (proposed, versions) = try change(ctx, subject)
            try SchemaCompatibility.meets(proposed: proposed, versions: versions, level: level).enforce()
        }

        code.then(
            "the new schema of subject {string} is not {compatibility} compatible",
            doc: "The refusal a registry would give: passes only when some reader cannot resolve some writer "
                + "under the level's rules (each problem logged); fails when the change is compatible.",
            example: #"Then the new schema of subject "orders-value" is not FORWARD compatible"#
        ) { (ctx, subject: String, level: SchemaCompatibility.Level) in
            let (proposed, versions) = try change(ctx, subject)
            for problem in SchemaCompatibility.problems(proposed: proposed, versions: versions, level: level) {
                ctx.log(problem)
            }
            try SchemaCompatibility.breaks(proposed: proposed, versions: versions, level: level).enforce()
        }
    }

    static func parsed(_ ctx: StepContext) throws -> SchemaCompatibility.Schema {
        guard let text = ctx.docString else { throw StepFailure("give the schema as a doc string under the step") }
        do { return AvroDrills.evolution(try AvroSchema(json: text)) } catch {
            throw StepFailure("the Avro schema is not valid: \(error)")
        }
    }

    static func change(_ ctx: StepContext, _ subject: String) throws
        -> (SchemaCompatibility.Schema, [SchemaCompatibility.Schema])
    {
        let state = ctx.world[Key.self]
        guard let proposed = state.proposed[subject] else {
            throw StepFailure("no new Avro schema was proposed for subject \"\(subject)\" in this scenario")
        }
        return (proposed, state.versions[subject] ?? [])
    }
}
