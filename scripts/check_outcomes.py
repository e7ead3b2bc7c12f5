#!/usr/bin/env python3
"""Each scenario's outcome in a Cucumber Messages stream, checked against the allowed outcomes.

  check_outcomes.py STREAM.ndjson... EXPECTED.tsv    exit 1 on any outcome not allowed, any scenario
                                                     missing from either side
  check_outcomes.py STREAM.ndjson... --list          prints feature, scenario, outcome, first non-passed
                                                     step's message (to write or review EXPECTED.tsv)

Several streams (runs of disjoint feature files, e.g. shards) are read as one; a feature file in two of
them is an error.

EXPECTED.tsv: feature file (base name) <TAB> scenario name <TAB> allowed outcomes (passed, failed,
skipped; several joined by "/") <TAB> reason. Lines starting with # are comments. Pickles of one file
sharing a name (outline rows) are "name #1", "name #2", ... A scenario's outcome is its worst step:
failed (also undefined, ambiguous, pending), else skipped, else passed.
"""
import collections
import json
import os
import sys

RANK = {"PASSED": 0, "SKIPPED": 1, "PENDING": 2, "UNDEFINED": 3, "AMBIGUOUS": 4, "FAILED": 5, "UNKNOWN": 6}


def outcome_name(status):
    return {"PASSED": "passed", "SKIPPED": "skipped"}.get(status, "failed")


def outcomes(path):
    pickles, cases, started = {}, {}, {}
    worst = collections.defaultdict(lambda: ("PASSED", ""))
    with open(path, encoding="utf-8") as stream:
        for line in stream:
            e = json.loads(line)
            if "pickle" in e:
                p = e["pickle"]
                pickles[p["id"]] = (os.path.basename(p["uri"]), p["name"])
            elif "testCase" in e:
                cases[e["testCase"]["id"]] = e["testCase"]["pickleId"]
            elif "testCaseStarted" in e:
                started[e["testCaseStarted"]["id"]] = e["testCaseStarted"]["testCaseId"]
            elif "testStepFinished" in e:
                s = e["testStepFinished"]
                result = s["testStepResult"]
                if RANK.get(result["status"], 6) > RANK[worst[s["testCaseStartedId"]][0]]:
                    worst[s["testCaseStartedId"]] = (result["status"], result.get("message", ""))
    names = collections.Counter(pickles.values())
    seen, out = collections.Counter(), {}
    for sid, case in started.items():
        key = pickles[cases[case]]
        seen[key] += 1
        name = key[1] if names[key] == 1 else f"{key[1]} #{seen[key]}"
        status, message = worst[sid]
        out[(key[0], name)] = (outcome_name(status), message)
    return out


def expected(path):
    rows = {}
    with open(path, encoding="utf-8") as table:
        for number, line in enumerate(table, 1):
            if not line.strip() or line.startswith("#"):
                continue
            cells = line.rstrip("\n").split("\t")
            if len(cells) != 4 or not cells[3].strip():
                sys.exit(f"{path}:{number}: expected 4 tab-separated cells with a reason")
            allowed = set(cells[2].split("/"))
            if not allowed <= {"passed", "failed", "skipped"}:
                sys.exit(f"{path}:{number}: allowed outcomes are passed, failed, skipped")
            if (cells[0], cells[1]) in rows:
                sys.exit(f"{path}:{number}: {cells[0]} {cells[1]!r} twice")
            rows[(cells[0], cells[1])] = allowed
    return rows


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    got = {}
    for path in argv[1:-1]:
        part = outcomes(path)
        twice = {feature for feature, _ in part} & {feature for feature, _ in got}
        if twice:
            sys.exit(f"{path}: {', '.join(sorted(twice))} also in another stream")
        got.update(part)
    if argv[-1] == "--list":
        for (feature, name), (status, message) in sorted(got.items()):
            print("\t".join([feature, name, status, " ".join(message.split())[:160]]))
        return 0
    want = expected(argv[-1])
    bad = []
    for key in sorted(set(want) | set(got)):
        status = got.get(key, ("not run", ""))[0]
        if key not in want:
            bad.append(f"{key[0]}: {key[1]!r}: {status}, but it has no expected outcome")
        elif status not in want[key]:
            bad.append(f"{key[0]}: {key[1]!r}: {status}, allowed {'/'.join(sorted(want[key]))}")
    counts = collections.Counter(status for status, _ in got.values())
    # Not in the "N passed, N failed" form: a CI reader would take it for this check's own result.
    print("scenario outcomes: " + ", ".join(f"{s} {counts[s]}" for s in ("passed", "failed", "skipped")))
    for line in bad:
        print("FAIL " + line)
    met = sum(1 for k in want if k in got and got[k][0] in want[k])
    print(f"{'ok  ' if not bad else 'FAIL'} {met} of {len(want)} scenarios as expected in {os.path.basename(argv[-1])}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
