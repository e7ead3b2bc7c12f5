#!/usr/bin/env python3
"""Generate the Cucumber Messages types and their JSON coding from the Cucumber Messages JSON schema.

Usage: scripts/generate-messages.py [--schema PATH] [--out DIR]
Writes Sources/Harness/Messages/MessagesTypes.swift (the types whose shape is the schema's) and
MessagesCoding.swift (the JSON reading and writing of every schema type the package models, on the
JSONReader and JSONWriter primitives). Both are committed, so a build never needs Python or the
schema. Types whose shape the other targets rely on and the schema does not have (Meta's products as
tuples, TestStep.Kind, Envelope's events, ...) stay hand-written; MODEL below is the one place that
says how each schema type maps to a Swift one and where they differ.
"""
import argparse
import json
import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCHEMA = os.path.join(ROOT, "scripts", "messages-schema", "messages.schema.json")
OUT = os.path.join(ROOT, "Sources", "Harness", "Messages")


class M:
    """How one schema type maps to a Swift value.

    swift: the Swift type read into and written from ("Envelope" with case=True: an envelope case).
    args: the initializer's labels in order, each a schema field of the same name, or label=field.
    read: a label's value where it is not the field as read (a deviation).
    make: Swift lines that build the value instead of swift(args…); the last one is returned.
    put: a field's value when written, where it is not the value's own field; "?" first: optional.
    enums: the Swift enumeration of a string field; "!" last: a value it does not know is an error.
    via: the MODEL entry a field is read and written with, where it is not the field's schema type.
    declare: the generator declares the type too (public, Sendable, an initializer in args order whose
    optional parameters default to nil, but for those in fixed; defaults gives other defaults);
    doc and docs: the documentation comments of the type and of its fields.
    In read and make, @field is the field as read, checked present when the schema requires it;
    @?field is the bare optional (our own default follows).
    """

    def __init__(self, swift, args="", read=None, make=None, put=None, enums=None, via=None, schema=None,
                 case=False, oneof=False, writable=None, declare=False, doc=None, docs=None, defaults=None,
                 fixed=""):
        self.swift, self.read, self.make, self.put = swift, read or {}, make, put or {}
        self.labels = [(a.split("=")[0], a.split("=")[-1]) for a in args.split()]
        self.enums, self.via, self.schema, self.case, self.oneof = enums or {}, via or {}, schema, case, oneof
        self.declare, self.doc, self.docs, self.defaults = declare, doc, docs or {}, defaults or {}
        self.fixed = set(fixed.split())
        self.writable = re.fullmatch(r"[A-Z]\w*", swift) is not None and swift != "String" and not case \
            if writable is None else writable


def event(args, **kw):
    return M("Envelope", args, case=True, **kw)


def D(swift, args="", **kw):
    return M(swift, args, declare=True, **kw)


# The one table: every schema type the package models (keyed by schema name), with every deviation.
MODEL = {
    # The Gherkin document (AST.swift has Location, ParseError and StepKeywordType).
    "Location": M("Location", "line column"),
    "Tag": D("Tag", "location name id"),
    "Comment": D("Comment", "location text"),
    "TableCell": D("TableCell", "location value"),
    "TableRow": D("TableRow", "id location cells"),
    "DataTable": D("DataTable", "location rows"),
    "DocString": D("DocString", "location mediaType content delimiter"),
    "Step": D("Step", "id location keyword keywordType text docString dataTable",
              enums={"keywordType": "StepKeywordType"}),
    "Background": D("Background", "id location keyword name description steps"),
    "Examples": D("Examples", "id location tags keyword name description tableHeader tableBody"),
    "Scenario": D("Scenario", "id location tags keyword name description steps examples"),
    "RuleChild": D("RuleChild", oneof=True),
    "Rule": D("Rule", "id location tags keyword name description children"),
    "FeatureChild": D("FeatureChild", oneof=True),
    # Older streams leave a feature's keyword out; an empty one is left out when written.
    "Feature": D("Feature", "location tags language keyword name description children",
                 read={"keyword": '@?keyword ?? ""'}, put={"keyword": "?v.keyword.isEmpty ? nil : v.keyword"}),
    "GherkinDocument": D("GherkinDocument", "uri feature comments"),
    "Source": D("Source", "uri data mediaType", doc="A feature file's text as the `source` message."),
    # The message starts with the location, "(line:column): ", which ParseError.message adds back.
    "ParseError": M("SourcedParseError", via={"source": "ParseErrorSource"}, make=[
        "let text = @message, s = @source",
        "let location = s.location ?? Location(line: 0, column: nil)",
        'let prefix = "(\\(location.line):\\(location.column ?? 0)): "',
        "let bare = text.hasPrefix(prefix) ? String(text.dropFirst(prefix.count)) : text",
        'SourcedParseError(uri: s.uri ?? "", error: ParseError(message: bare, location: location))',
    ], put={"message": "v.error.message", "source": "(v.uri, v.error.location)"}),
    # A parse error's source keeps the column, which SourceReference drops.
    "ParseErrorSource": M("(uri: String?, location: Location?)", "uri location", schema="SourceReference"),
    # Pickles (Pickle.swift has PickleStepType)
    "PickleTag": D("PickleTag", "name astNodeId"),
    "PickleDocString": D("PickleDocString", "mediaType content argumentIndex", docs={
        "argumentIndex": "1 or 2 when the step has both a doc string and a data table: their order in the file."}),
    "PickleTable": D("PickleTable", "rows argumentIndex"),
    "PickleTableRow": M("[String]", make=["@cells"], put={"cells": "v"}),
    "PickleTableCell": M("String", make=["@value"], put={"value": "v"}),
    "PickleStepArgument": D("PickleStepArgument", "docString dataTable"),
    "PickleStep": D("PickleStep", "id text type argument astNodeIds", enums={"type": "PickleStepType"}),
    "Pickle": D("Pickle", "id uri location name language steps tags astNodeIds",
                read={"location": "@location ?? Location(line: 0, column: nil)"}),
    # The run (RunMessages.swift has the rest)
    "Timestamp": M("Timestamp", make=[
        "let n = @nanos",
        'guard let nanos32 = Int32(exactly: n) else { throw r.failure("nanos out of range") }',
        "Timestamp(seconds: Int64(@seconds), nanos: nanos32)",
    ], put={"seconds": "Int(v.seconds)", "nanos": "Int(v.nanos)"}),
    "Duration": "Timestamp",
    # Meta keeps an implementation's and a runtime's version as text, and the CPU by name.
    "Meta": M("Meta", make=[
        "let version = @protocolVersion",
        "let i = @implementation, rt = @runtime",
        "let system = @os, processor = @cpu",
        "var meta = Meta(",
        '    protocolVersion: version, implementation: (i.name, i.version ?? ""),',
        '    runtime: (rt.name, rt.version ?? ""), os: system, cpu: processor.name)',
        "meta.ci = @ci",
        "meta",
    ], put={"implementation": "(v.implementation.name, v.implementation.version)",
            "runtime": "(v.runtime.name, v.runtime.version)", "cpu": "(v.cpu, nil)"}),
    "Product": M("(name: String, version: String?)", "name version"),
    "Ci": M("Meta.CI", "name url buildNumber git", writable=False),
    "Git": M("Meta.CI.Git", "remote revision branch tag", writable=False),
    # A step definition's or hook's origin: a file and a line.
    "SourceReference": M("SourceReference", make=['SourceReference(uri: @uri ?? "", line: @location?.line ?? 0)'],
                         put={"uri": "v.uri", "location": "Location(line: v.line, column: nil)"}),
    # A step definition's pattern is its source and whether it is a regular expression.
    "StepDefinition": M("StepDefinitionMessage", make=[
        'let p = @pattern, regular = p.type == "REGULAR_EXPRESSION"',
        "StepDefinitionMessage(",
        "    id: @id, source: p.source, isRegularExpression: regular,",
        "    sourceReference: @sourceReference)",
    ], put={"pattern": '(v.source, v.isRegularExpression ? "REGULAR_EXPRESSION" : "CUCUMBER_EXPRESSION")'}),
    "StepDefinitionPattern": M("(source: String, type: String)", "source type"),
    "Hook": D("HookMessage", "id name tagExpression type sourceReference", enums={"type": "HookType"},
              fixed="type"),
    "ParameterType": D("ParameterTypeMessage",
                       "id name regularExpressions preferForRegularExpressionMatch useForSnippets sourceReference",
                       fixed="sourceReference"),
    "UndefinedParameterType": D("UndefinedParameterTypeMessage", "expression name"),
    # No children reads as none, and none is left out when written; so is an empty parameter type name.
    "Group": D("MatchedGroup", "start value children", read={"children": "@children ?? []"},
               put={"children": "?v.children.isEmpty ? nil : v.children"}, fixed="start value",
               doc="A matched group as the `testCase` message describes it."),
    "StepMatchArgument": M("(group: MatchedGroup, parameterTypeName: String?)", "group parameterTypeName",
                           put={"parameterTypeName": "?v.parameterTypeName.flatMap { $0.isEmpty ? nil : $0 }"}),
    "StepMatchArgumentsList": M("[(group: MatchedGroup, parameterTypeName: String?)]",
                                make=["@?stepMatchArguments ?? []"], put={"stepMatchArguments": "v"}),
    # A test step runs a hook or a pickle step: TestStep.Kind.
    "TestStep": M("TestStep", make=[
        "let kind: TestStep.Kind =",
        "    if let hookId = @hookId { .hook(hookId: hookId) } else {",
        "        .pickleStep(",
        '            pickleStepId: @pickleStepId ?? "", stepDefinitionIds: @stepDefinitionIds ?? [],',
        "            argumentLists: @stepMatchArgumentsLists ?? [])",
        "    }",
        "TestStep(id: @id, kind: kind)",
    ], put={"hookId": "?if case .hook(let id) = v.kind { id } else { nil }",
            "pickleStepId": "?if case .pickleStep(let id, _, _) = v.kind { id } else { nil }",
            "stepDefinitionIds": "?if case .pickleStep(_, let ids, _) = v.kind { ids } else { nil }",
            "stepMatchArgumentsLists": "?if case .pickleStep(_, _, let lists) = v.kind { lists } else { nil }"}),
    "TestCase": D("TestCaseMessage", "id pickleId testSteps testRunStartedId",
                  read={"testRunStartedId": '@testRunStartedId ?? ""'}),
    "Exception": D("ExceptionInfo", "type message stackTrace"),
    "TestStepResult": D("TestStepResult", "status duration message exception",
                        enums={"status": "TestStepResultStatus!"},
                        defaults={"duration": "Timestamp(seconds: 0, nanos: 0)"}),
    "Snippet": D("Snippet", "language code"),
    "Attachment": D("Attachment", "body contentEncoding mediaType fileName testCaseStartedId testStepId "
                                  "testRunHookStartedId timestamp", enums={"contentEncoding": "Attachment.Encoding!"}),
    # Envelope.swift: the run's events are cases of Envelope itself.
    "TestRunStarted": event("id timestamp", read={"id": '@id ?? ""'}),
    "TestCaseStarted": event("id testCaseId attempt timestamp"),
    "TestStepStarted": event("testCaseStartedId testStepId timestamp"),
    "Suggestion": event("id pickleStepId snippets"),
    "TestStepFinished": event("testCaseStartedId testStepId result=testStepResult timestamp"),
    "TestCaseFinished": event("testCaseStartedId willBeRetried timestamp"),
    "TestRunHookStarted": event("id testRunStartedId hookId timestamp"),
    "TestRunHookFinished": event("testRunHookStartedId result timestamp"),
    "TestRunFinished": event("testRunStartedId success message exception timestamp",
                             read={"testRunStartedId": '@testRunStartedId ?? ""'}),
}

RESERVED = {"r", "key", "json", "v", "e", "in", "is", "as", "let", "var", "case", "default", "func",
            "return", "self", "Self", "static", "struct", "class", "enum", "extension", "protocol", "import"}
PLACEHOLDER = re.compile(r"@(\??)(\w+)")


class Field:
    def __init__(self, name, spec, required, resolve):
        self.name, self.required = name, required
        self.enum = spec.get("enum")
        self.kind = spec.get("type") or "ref"
        self.ref = resolve(spec["$ref"]) if self.kind == "ref" else None
        items = spec.get("items", {})
        self.item = resolve(items["$ref"]) if "$ref" in items else items.get("type")


def load_schema(path):
    schema = json.load(open(path, encoding="utf-8"))
    types = {}

    def add(name, body):
        def resolve(ref):
            return ref.split("/")[-1].replace(".schema.json", "")
        assert name not in types, name
        required = set(body.get("required", []))
        types[name] = {p: Field(p, s, p in required, resolve) for p, s in body.get("properties", {}).items()}

    for url, body in schema["$defs"].items():
        add(url.split("/")[-1].replace(".schema.json", ""), body)
        for name, nested in body.get("definitions", {}).items():
            add(name, nested)
    envelope = {key: s["$ref"].split("/")[-1].replace(".schema.json", "") for key, s in schema["properties"].items()}
    return types, envelope


class Generator:
    def __init__(self, types, envelope):
        self.types, self.envelope = types, envelope
        self.model = {name: (MODEL[m] if isinstance(m, str) else m) for name, m in MODEL.items()}
        for name, m in MODEL.items():
            if isinstance(m, str):
                assert sorted(types[name]) == sorted(types[m]), f"{name} is not the same shape as {m}"
        self.fn = {name: (m if isinstance(m, str) else name) for name, m in MODEL.items()}
        for name, m in self.model.items():
            labels = {label for label, _ in m.labels}
            for option in (m.read, m.docs, m.defaults, m.fixed):
                assert set(option) <= labels, f"{name}: {set(option) - labels} are not among its labels"
            for field in m.enums:
                assert self.fields(name)[field].enum, f"{name}.{field} has no enumeration in the schema"
        # Tuples, arrays and nested types get a short name of their own in MessageCoding.
        self.aliases = {name: m.swift for name, m in MODEL.items()
                        if not isinstance(m, str) and not re.fullmatch(r"[A-Z]\w*", m.swift)}

    def type_name(self, name):
        return name if name in self.aliases else self.model[name].swift

    def fields(self, name):
        m = self.model[name]
        return self.types[m.schema or name]

    def binding(self, owner, field):
        target = self.model[owner].via.get(field.name) or field.ref or field.item
        assert target in self.model, f"{owner}.{field.name}: {target} is not modelled"
        return target

    def swift_type(self, owner, f, public=False):
        """The Swift type of a field's value; public: spelled without MessageCoding's short names."""
        name = (lambda n: self.model[n].swift) if public else self.type_name
        m = self.model[owner]
        if f.kind == "string":
            return m.enums[f.name].rstrip("!") if f.name in m.enums else "String"
        if f.kind == "integer":
            return "Int"
        if f.kind == "boolean":
            return "Bool"
        if f.kind == "ref":
            return name(self.fn[self.binding(owner, f)])
        assert f.kind == "array", f.kind
        if f.item == "string":
            return "[String]"
        return "[" + name(self.fn[self.binding(owner, f)]) + "]"

    def make_lines(self, name):
        """The construction, with @ placeholders."""
        m = self.model[name]
        if m.make:
            return list(m.make)
        parts = [f"{label}: {m.read.get(label, '@' + field)}" for label, field in m.labels]
        head = "." + self.case_name(name) if m.case else ("" if m.swift.startswith("(") else m.swift)
        return [head + "(" + ", ".join(parts) + ")"]

    def case_name(self, name):
        keys = [k for k, t in self.envelope.items() if t == name]
        assert len(keys) == 1, name
        return keys[0]

    def read_fields(self, name):
        used = []
        for line in self.make_lines(name):
            for _, field in PLACEHOLDER.findall(line):
                assert field in self.fields(name), f"{name} has no field {field}"
                if field not in used:
                    used.append(field)
        return used

    def expand(self, name, line):
        fields = self.fields(name)

        def sub(match):
            bare, field = match.groups()
            if fields[field].required and not bare:
                return f'try r.required({field}, "{field}")'
            return field
        return PLACEHOLDER.sub(sub, line)

    def read_expr(self, owner, f):
        m = self.model[owner]
        if f.kind == "string" and f.name in m.enums:
            enum = m.enums[f.name]
            return f'r.known({enum[:-1]}.self, "{f.name}")' if enum.endswith("!") else "r.value()"
        simple = {"string": "r.string()", "integer": "r.int()", "boolean": "r.bool()"}
        if f.kind in simple:
            return simple[f.kind]
        if f.kind == "array" and f.item == "string":
            return "r.strings()"
        target = self.fn[self.binding(owner, f)]
        return f"read{target}(&r)" if f.kind == "ref" else f"r.array {{ try read{target}(&$0) }}"

    def reader(self, name):
        m = self.model[name]
        fields = self.fields(name)
        ret = "Envelope" if m.case else self.type_name(name)
        out = [f"    static func read{name}(_ r: inout JSONReader) throws -> {ret} {{"]
        if m.oneof:
            out += [f"        var value: {m.swift}?", "        try r.object { r, key in", "            switch key {"]
            for f in fields.values():
                out.append(f'            case "{f.name}": value = .{f.name}(try {self.read_expr(name, f)})')
            names = sorted(fields)
            out += ["            default: try r.skip()", "            }", "        }",
                    f'        return try r.required(value, "{", ".join(names[:-1])} or {names[-1]}")', "    }"]
            return out
        used = self.read_fields(name)
        for field in used:
            assert field not in RESERVED, field
            out.append(f"        var {field}: {self.swift_type(name, fields[field])}?")
        out += ["        try r.object { r, key in", "            switch key {"]
        for field in used:
            case = f'            case "{field}":'
            assign = f"{field} = try {self.read_expr(name, fields[field])}"
            out += [f"{case} {assign}"] if len(case) + len(assign) < 119 else [case, "    " * 4 + assign]
        out += ["            default: try r.skip()", "            }", "        }"]
        lines = [self.expand(name, line) for line in self.make_lines(name)]
        # The value returned starts on the last line that is not indented.
        last = max(i for i, line in enumerate(lines) if not line.startswith(" "))
        lines[last] = "return " + lines[last]
        if not m.make:
            lines = wrap_call(lines[0], 8)
        out += ["        " + line for line in lines]
        out.append("    }")
        return out

    def written(self, name):
        """(field, value, optional) in key order: how each modelled field is written."""
        m = self.model[name]
        fields = self.fields(name)
        labels = {field: label for label, field in m.labels}
        out = []
        for field in sorted(set(self.read_fields(name)) | set(m.put)):
            f = fields[field]
            if field in m.put:
                value = m.put[field]
                optional = value.startswith("?")
                out.append((f, value.lstrip("?"), optional))
                continue
            label = labels.get(field, field)
            value = label if m.case else f"v.{label}"
            out.append((f, value, not f.required and label not in m.read))
        return out

    def write_value(self, owner, f, value, indent):
        pad = " " * indent
        m = self.model[owner]
        if f.kind == "string":
            raw = ".rawValue" if f.name in m.enums else ""
            return [f'{pad}json.field("{f.name}", {value}{raw})']
        if f.kind in ("integer", "boolean"):
            return [f'{pad}json.field("{f.name}", {value})']
        if f.kind == "array" and f.item == "string":
            return [f'{pad}json.stringArray("{f.name}", {value})']
        target = self.fn[self.binding(owner, f)]
        if f.kind == "ref":
            return [f'{pad}json.key("{f.name}")', f"{pad}write{target}({value}, &json)"]
        return [f'{pad}json.key("{f.name}")', f"{pad}json.arrayStart()",
                f"{pad}for e in {value} {{ write{target}(e, &json) }}", f"{pad}json.arrayEnd()"]

    def write_fields(self, name, indent):
        pad = " " * indent
        out, lets = [], []
        for f, value, optional in self.written(name):
            if not optional:
                lines = self.write_value(name, f, value, indent)
                if max(map(len, lines)) >= 120:
                    lets += let_lines(pad, f.name, self.swift_type(name, f), value)
                    lines = self.write_value(name, f, f.name, indent)
                out += lines
                continue
            if value != f.name and value != f"v.{f.name}":
                assert not self.model[name].case, f"{name}.{f.name}: an event's field is written as it is"
                lets += let_lines(pad, f.name, self.swift_type(name, f) + "?", value)
                value = f.name
            bind = f.name if value == f.name else f"{f.name} = {value}"
            out += [f"{pad}if let {bind} {{"] + self.write_value(name, f, f.name, indent + 4) + [f"{pad}}}"]
        return lets + [f"{pad}json.objectStart()"] + out + [f"{pad}json.objectEnd()"]

    def writer(self, name):
        m = self.model[name]
        out = [f"    static func write{name}(_ v: {self.type_name(name)}, _ json: inout JSONWriter) {{"]
        if m.oneof:
            out += ["        json.objectStart()", "        switch v {"]
            for f in self.fields(name).values():
                target = self.fn[self.binding(name, f)]
                out.append(f'        case .{f.name}(let value): json.key("{f.name}"); write{target}(value, &json)')
            out += ["        }", "        json.objectEnd()", "    }"]
            return out
        return out + self.write_fields(name, 8) + ["    }"]

    def envelope_coding(self):
        read = ["    /// The envelope a key names, or nil (the value skipped) for a kind this package does not model.",
                "    static func readEnvelope(_ key: JSONReader.Key, _ r: inout JSONReader) throws -> Envelope? {",
                "        switch key {"]
        write = ["    static func writeEnvelope(_ v: Envelope, _ json: inout JSONWriter) {",
                 "        json.objectStart()", "        switch v {"]
        for key, t in self.envelope.items():
            if t not in self.model:
                continue
            m = self.model[t]
            if m.case:
                read.append(f'        case "{key}": return try read{t}(&r)')
                bound = ", ".join(f"let {label}" for label, _ in m.labels)
                write += [f"        case .{key}({bound}):", f'            json.key("{key}")']
                write += self.write_fields(t, 12)
            else:
                read.append(f'        case "{key}": return .{key}(try read{self.fn[t]}(&r))')
                write += [f"        case .{key}(let value):",
                          f'            json.key("{key}"); write{self.fn[t]}(value, &json)']
        read += ["        default:", "            try r.skip()", "            return nil", "        }", "    }"]
        write += ["        }", "        json.objectEnd()", "    }"]
        return read + [""] + write

    def declaration(self, name):
        m = self.model[name]
        fields = self.fields(name)
        out = [f"/// {m.doc}"] if m.doc else []
        if m.oneof:
            out.append(f"public enum {m.swift}: Sendable {{")
            for field in sorted(fields):
                out.append(f"    case {field}({self.swift_type(name, fields[field], public=True)})")
            return out + ["}"]
        out.append(f"public struct {m.swift}: Sendable {{")
        params, inits = [], []
        for label, field in m.labels:
            f = fields[field]
            optional = not f.required and label not in m.read
            type_name = self.swift_type(name, f, public=True) + ("?" if optional else "")
            if label in m.docs:
                out.append(f"    /// {m.docs[label]}")
            out.append(f"    public var {label}: {type_name}")
            default = m.defaults.get(label) or ("nil" if optional and label not in m.fixed else None)
            params.append(f"{label}: {type_name}" + (f" = {default}" if default else ""))
            inits.append(f"        self.{label} = {label}")
        head = "    public init(" + ", ".join(params) + ") {"
        if len(head) >= 120:
            head = "\n".join(["    public init("] + [f"        {p}," for p in params[:-1]] + [f"        {params[-1]}",
                                                                                     "    ) {"])
        return out + ["", head] + inits + ["    }", "}"]

    def types_file(self, source_note):
        out = [
            "// Generated by scripts/generate-messages.py — do not edit.",
            "// The Cucumber Messages types whose shape is the schema's, from messages.schema.json:",
            f"// {source_note}",
            "// (Copyright (c) Cucumber Ltd, MIT License; see scripts/messages-schema/SOURCE.txt).",
            "// The other types are hand-written; the generator's MODEL table says how each maps to the schema.",
        ]
        for name, m in MODEL.items():
            if not isinstance(m, str) and m.declare:
                out += [""] + self.declaration(name)
        return check("\n".join(out) + "\n")

    def generate(self, source_note):
        out = [
            "// Generated by scripts/generate-messages.py — do not edit.",
            "// The JSON reading and writing of the Cucumber Messages types, from messages.schema.json:",
            f"// {source_note}",
            "// (Copyright (c) Cucumber Ltd, MIT License; see scripts/messages-schema/SOURCE.txt).",
            "// Field names and which fields are required come from the schema; where our types differ from",
            "// it is declared in the generator's MODEL table.",
            "",
            "enum MessageCoding {",
        ]
        out += [f"    typealias {name} = {swift}" for name, swift in self.aliases.items()] + [""]
        out += self.envelope_coding()
        for name, m in MODEL.items():
            if isinstance(m, str):
                continue
            out += [""] + self.reader(name) + ([] if m.case else [""] + self.writer(name))
        out += ["}"]
        out += [""]
        out += ["extension Envelope: JSONWritable {",
                "    public func write(to json: inout JSONWriter) { MessageCoding.writeEnvelope(self, &json) }",
                "}"]
        for name, m in MODEL.items():
            if isinstance(m, str) or not m.writable:
                continue
            out += ["", f"extension {m.swift}: JSONWritable {{",
                    f"    public func write(to json: inout JSONWriter) {{ MessageCoding.write{name}(self, &json) }}",
                    "}"]
        return check("\n".join(out) + "\n")


def check(text):
    long = [line for line in text.splitlines() if len(line) >= 120]
    assert not long, "lines of 120 characters or more:\n" + "\n".join(long)
    return text


def let_lines(pad, name, type_name, value):
    head = f"{pad}let {name}: {type_name} ="
    return [f"{head} {value}"] if len(head) + len(value) < 119 else [head, f"{pad}    {value}"]


def wrap_call(line, indent):
    """`return X(a: …, b: …)` on one line, or one argument a line when that is too long."""
    if len(line) + indent < 120:
        return [line]
    head, args = line.split("(", 1)
    args = args[:-1]
    parts, depth, start = [], 0, 0
    for i, c in enumerate(args):
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif c == "," and depth == 0:
            parts.append(args[start:i].strip())
            start = i + 1
    parts.append(args[start:].strip())
    out = [head + "("]
    for i, p in enumerate(parts):
        p += "," if i < len(parts) - 1 else ""
        label, value = p.split(": ", 1)
        out += ["    " + p] if indent + 4 + len(p) < 120 else ["    " + label + ":", "        " + value]
    return out + [")"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--schema", default=SCHEMA)
    ap.add_argument("--out", default=OUT, help="the folder to write to (default: the Messages target's)")
    args = ap.parse_args()
    types, envelope = load_schema(args.schema)
    note_file = os.path.join(os.path.dirname(args.schema), "SOURCE.txt")
    commit = re.search(r"commit ([0-9a-f]{40})", open(note_file, encoding="utf-8").read())
    note = "github.com/cucumber/messages jsonschema/" + (f" at commit {commit.group(1)}" if commit else "")
    generator = Generator(types, envelope)
    files = [("MessagesTypes.swift", generator.types_file(note)), ("MessagesCoding.swift", generator.generate(note))]
    for name, text in files:
        path = os.path.join(args.out, name)
        open(path, "w", encoding="utf-8").write(text)
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
