#!/usr/bin/env python3
"""Times `kafka-bdd format html` and `format junit` on a generated message stream (prints numbers).

usage: reports.py [--scenarios 10000] [--binary PATH] [--runs 3] [--keep STREAM] [--validate]
Without --binary it builds release (`swift build -c release`) and uses .build/release/kafka-bdd.
The stream is a valid Cucumber Messages run, as another tool would write it: a few features with
backgrounds, rules and outlines; a Before hook; steps passed, failed, skipped, pending, undefined
and ambiguous; text, markdown, SVG and PNG attachments. Goal: HTML + JUnit together under 2 s.
"""
import argparse, json, os, random, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WORDS = ("broker topic partition replica leader follower consumer producer group offset record batch "
         "commit lag retention segment compaction transaction fence coordinator schema").split()


class Ids:
    def __init__(self):
        self.n = 0

    def __call__(self):
        self.n += 1
        return str(self.n)


PIXEL = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="


def ts(ms):
    return {"seconds": ms // 1000, "nanos": (ms % 1000) * 1_000_000}


def loc(line, column=None):
    return {"line": line} if column is None else {"line": line, "column": column}


def generate(scenarios, out, seed=11):
    r = random.Random(seed)
    ids = Ids()
    lines = []
    emit = lambda kind, body: lines.append(json.dumps({kind: body}, separators=(",", ":")))
    emit("meta", {"protocolVersion": "30.1.0", "implementation": {"name": "bench", "version": "1"},
                  "runtime": {"name": "python", "version": "3"}, "os": {"name": "linux"}, "cpu": {"name": "x64"}})
    definitions = [{"id": ids(), "pattern": {"source": "step %d" % i, "type": "CUCUMBER_EXPRESSION"},
                    "sourceReference": {"uri": "steps/bench.ts", "location": loc(10 + i)}} for i in range(20)]
    hook = {"id": ids(), "type": "BEFORE_TEST_CASE", "name": "fresh cluster",
            "sourceReference": {"uri": "steps/hooks.ts", "location": loc(3)}}
    features = 5
    pickles = []
    for f in range(features):
        uri = "features/bench-%d.feature" % f
        count = scenarios // features + (1 if f < scenarios % features else 0)
        children = []
        background = {"id": ids(), "keyword": "Background", "name": "", "description": "", "location": loc(4, 3),
                      "steps": [{"id": ids(), "keyword": "Given ", "keywordType": "Context", "location": loc(5, 5),
                                 "text": "a 3-broker cluster"}]}
        children.append({"background": background})
        line = 7
        made = 0
        rule = None
        while made < count:
            if made % 500 == 0:
                rule = {"id": ids(), "keyword": "Rule", "name": "rule %d of feature %d" % (made // 500, f),
                        "description": "", "location": loc(line, 3), "tags": [], "children": []}
                children.append({"rule": rule})
                line += 2
            outline = made % 50 == 0 and count - made >= 10
            scenario_line = line
            tags = [{"id": ids(), "name": "@slow", "location": loc(line, 5)}] if r.random() < .2 else []
            line += 1 if tags else 0
            steps = []
            for i in range(r.randint(2, 5)):
                keyword = "Given " if i == 0 else ("When " if i == 1 else "Then ")
                text = "%s the %s %s" % (r.choice(WORDS), r.choice(WORDS), r.choice(WORDS))
                steps.append({"id": ids(), "keyword": keyword, "keywordType": "Action",
                              "location": loc(line + 1 + i, 7), "text": text + (" <n>" if outline and i == 0 else "")})
            scenario = {"id": ids(), "keyword": "Scenario Outline" if outline else "Scenario",
                        "name": "scenario %d of feature %d" % (made, f) + (" with <n>" if outline else ""),
                        "description": "", "location": loc(scenario_line, 5), "tags": tags, "steps": steps,
                        "examples": []}
            line += len(steps) + 2
            rows = []
            if outline:
                header = {"id": ids(), "location": loc(line + 1, 9),
                          "cells": [{"location": loc(line + 1, 11), "value": "n"}]}
                for k in range(10):
                    rows.append({"id": ids(), "location": loc(line + 2 + k, 9),
                                 "cells": [{"location": loc(line + 2 + k, 11), "value": str(k)}]})
                scenario["examples"].append({"id": ids(), "keyword": "Examples", "name": "numbers", "description": "",
                                             "location": loc(line, 7), "tags": [], "tableHeader": header,
                                             "tableBody": rows})
                line += 13
            rule["children"].append({"scenario": scenario})
            for row in rows or [None]:
                name = scenario["name"].replace("<n>", row["cells"][0]["value"]) if row else scenario["name"]
                pickle_steps = [{"id": ids(), "text": "a 3-broker cluster", "type": "Context",
                                 "astNodeIds": [background["steps"][0]["id"]]}]
                for s in steps:
                    text = s["text"].replace("<n>", row["cells"][0]["value"]) if row else s["text"]
                    ps = {"id": ids(), "text": text, "type": "Action",
                          "astNodeIds": [s["id"]] + ([row["id"]] if row else [])}
                    if r.random() < .05:
                        ps["argument"] = {"dataTable": {"rows": [{"cells": [{"value": "a"}, {"value": "b"}]},
                                                                 {"cells": [{"value": "1"}, {"value": "2"}]}]}}
                    pickle_steps.append(ps)
                feature_tag = "@capstone" if f == features - 1 else "@KAF-%02d" % (f + 1)
                pickle = {"id": ids(), "uri": uri, "name": name, "language": "en",
                          "location": row["location"] if row else scenario["location"],
                          "steps": pickle_steps, "tags": [{"name": feature_tag, "astNodeId": ""}] +
                          [{"name": t["name"], "astNodeId": t["id"]} for t in tags],
                          "astNodeIds": [scenario["id"]] + ([row["id"]] if row else [])}
                pickles.append(pickle)
                made += 1
        feature = {"location": loc(2), "tags": [{"id": ids(), "name": "@bench", "location": loc(1)}],
                   "language": "en", "keyword": "Feature", "name": "Bench feature %d" % f,
                   "description": "  A generated feature.", "children": children}
        emit("source", {"uri": uri, "data": "# generated\n", "mediaType": "text/x.cucumber.gherkin+plain"})
        emit("gherkinDocument", {"uri": uri, "feature": feature, "comments": []})
    for p in pickles:
        emit("pickle", p)
    for d in definitions:
        emit("stepDefinition", d)
    emit("hook", hook)
    run = ids()
    clock = 1_700_000_000_000
    emit("testRunStarted", {"id": run, "timestamp": ts(clock)})
    cases = []
    for p in pickles:
        steps = [{"id": ids(), "hookId": hook["id"]}]
        for ps in p["steps"]:
            roll = r.random()
            definition_ids = [] if roll < .01 else ([definitions[0]["id"], definitions[1]["id"]] if roll < .012
                                                     else [r.choice(definitions)["id"]])
            steps.append({"id": ids(), "pickleStepId": ps["id"], "stepDefinitionIds": definition_ids,
                          "stepMatchArgumentsLists": [{"stepMatchArguments": []}] if len(definition_ids) == 1 else []})
        case = {"id": ids(), "pickleId": p["id"], "testSteps": steps, "testRunStartedId": run}
        cases.append((case, p))
        emit("testCase", case)
    def attach(media, body, encoding):  # to the step being written
        emit("attachment", {"testCaseStartedId": started, "testStepId": step["id"], "mediaType": media,
                            "body": body, "contentEncoding": encoding, "timestamp": ts(clock)})

    for case, p in cases:
        started = ids()
        emit("testCaseStarted", {"id": started, "testCaseId": case["id"], "attempt": 0, "timestamp": ts(clock)})
        broken = False
        for step, ps in zip(case["testSteps"], [None] + p["steps"]):
            emit("testStepStarted", {"testCaseStartedId": started, "testStepId": step["id"], "timestamp": ts(clock)})
            took = r.randint(0, 40)
            clock += took
            result = {"status": "PASSED", "duration": ts(took)}
            if broken:
                result["status"] = "SKIPPED"
            elif ps is not None and not step["stepDefinitionIds"]:
                result["status"] = "UNDEFINED"
                emit("suggestion", {"id": ids(), "pickleStepId": ps["id"],
                                    "snippets": [{"language": "typescript",
                                                  "code": "Given('%s', () => {})" % ps["text"]}]})
            elif ps is not None and len(step["stepDefinitionIds"]) > 1:
                result.update(status="AMBIGUOUS", message="Multiple matching step definitions")
            else:
                roll = r.random()
                if roll < .02:
                    result.update(status="FAILED", message="expected 3 replicas, got 2\n  at bench.ts:12",
                                  exception={"type": "AssertionError", "message": "expected 3 replicas, got 2",
                                             "stackTrace": "AssertionError: expected 3 replicas\n  at bench.ts:12"})
                elif roll < .05:
                    result.update(status="SKIPPED", message="embedded cluster does not model ISR")
                elif roll < .06:
                    result.update(status="PENDING", message="TODO")
            broken = broken or result["status"] != "PASSED"
            roll = r.random()
            if roll < .08:
                attach("text/plain", "produced %d records\nlag 0" % r.randint(1, 99999), "IDENTITY")
            elif roll < .10:
                attach("text/markdown", "| partition | leader |\n| --- | --- |\n| 0 | 1 |\n| 1 | 2 |", "IDENTITY")
            elif roll < .11:
                attach("image/svg+xml", '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="10">'
                       '<rect width="%d" height="10"/></svg>' % r.randint(1, 40), "IDENTITY")
            elif roll < .115:
                attach("image/png", PIXEL, "BASE64")
            emit("testStepFinished", {"testCaseStartedId": started, "testStepId": step["id"],
                                      "testStepResult": result, "timestamp": ts(clock)})
        emit("testCaseFinished", {"testCaseStartedId": started, "timestamp": ts(clock), "willBeRetried": False})
    emit("testRunFinished", {"testRunStartedId": run, "success": False, "timestamp": ts(clock)})
    with open(out, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    return len(lines)


def best_of(runs, binary, kind, stream):
    times = []
    for _ in range(runs):
        with open(stream, "rb") as stdin:
            start = time.perf_counter()
            p = subprocess.run([binary, "format", kind], stdin=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            times.append(time.perf_counter() - start)
        if p.returncode != 0:
            sys.exit("format %s failed (%d): %s" % (kind, p.returncode, p.stderr.decode()[:400]))
    return min(times)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenarios", type=int, default=10_000)
    ap.add_argument("--binary", help="a kafka-bdd binary (default: build release)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--keep", help="write the stream here (default: a temporary file)")
    ap.add_argument("--validate", action="store_true", help="check the stream against ../shared's messages schema")
    args = ap.parse_args()

    binary = args.binary
    if not binary:
        subprocess.run(["swift", "build", "-c", "release", "--product", "kafka-bdd"], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)
        binary = os.path.join(ROOT, ".build", "release", "kafka-bdd")
    stream = args.keep or os.path.join(tempfile.mkdtemp(), "bench.ndjson")
    envelopes = generate(args.scenarios, stream)
    size = os.path.getsize(stream) / 1e6
    print("stream: %d scenarios, %d envelopes, %.1f MB (%s)" % (args.scenarios, envelopes, size, stream))
    if args.validate:
        schema = os.path.join(os.path.dirname(ROOT), "shared", "conformance", "messages", "messages.schema.json")
        validator = os.path.join(ROOT, "scripts", "validate_messages.py")
        subprocess.run([sys.executable, validator, schema, stream], check=True)
    total = 0.0
    for kind in ("html", "junit"):
        seconds = best_of(args.runs, binary, kind, stream)
        total += seconds
        print("format %-5s %6.3f s  %8.0f scenarios/s  (best of %d)"
              % (kind, seconds, args.scenarios / seconds, args.runs))
    print("html + junit %6.3f s  (goal < 2 s: %s)" % (total, "met" if total < 2 else "NOT met"))


if __name__ == "__main__":
    main()
