#!/usr/bin/env python3
"""Fails when a target depends on a target outside the allowed pipeline graph, or imports a module it
does not declare.

The graph is the one docs/ARCHITECTURE.md draws; change both together, with the reason there.
Reads `swift package dump-package` (or a saved dump given as the first argument) and every `import`
line of every target's sources: SwiftPM on Linux lets a target import a module that only one of its
dependencies declares, so Package.swift alone would not show such an arrow.
"""
import json
import os
import re
import subprocess
import sys

# target -> the targets (and products) it may depend on
ALLOWED = {
    "Messages": set(),
    "Gherkin": {"Messages"},
    "Expressions": set(),
    "Runtime": {"Messages", "Gherkin", "Expressions"},
    "Reporting": {"Messages"},
    "Session": {"Messages", "Gherkin", "Expressions", "Runtime", "Reporting"},
    # LanguageServer: the editor's side of the same stages (text → pickles → matched steps); Reporting for the
    # did-you-mean. Never a cluster.
    "LanguageServer": {"Messages", "Gherkin", "Expressions", "Runtime", "Reporting"},
    "CRdKafka": set(),
    # Launching: child processes started so that none is under way while a mock broker goes down.
    "Launching": set(),
    "KafkaClient": {"CRdKafka", "Launching", "Histogram", "Prometheus", "Logging"},
    "Cluster": {"KafkaClient", "Launching"},
    "CPostgres": set(),
    "Postgres": {"CPostgres"},
    # Streams: the capstone's windowed totals share KAF-14's tumbling-window definition.
    "ChangeCapture": {"Postgres", "KafkaClient", "Prometheus", "Streams"},
    "Verification": set(),
    "Operations": set(),
    "Streams": set(),
    "Processing": {"KafkaClient", "Streams"},
    # Drills: cluster actions and histories; never the Cucumber engine (Runtime) nor the sentences (Steps).
    "Drills": {"Cluster", "KafkaClient", "Verification", "Operations", "Streams", "Processing", "Postgres",
               "ChangeCapture", "Launching"},
    "Steps": {"Runtime", "Cluster", "KafkaClient", "Verification", "Operations", "Streams", "Processing", "Postgres",
              "ChangeCapture", "Drills"},
    # Test helpers (paths, JSON lines, external checkers) that test targets share: no Kafka, no PostgreSQL.
    "TestSupport": {"Launching"},
    "kafka-bdd": {"Messages", "Gherkin", "Expressions", "Runtime", "Reporting", "Session", "KafkaClient", "Cluster",
                  "Steps", "Drills", "Operations", "Streams", "Processing", "LanguageServer", "ArgumentParser"},
}
# Test targets may depend on anything (they are not part of the pipeline), but import only what they declare.

# Modules of the platform and the toolchain: importing them is no arrow of the pipeline.
SYSTEM = {"Foundation", "FoundationEssentials", "FoundationNetworking", "FoundationXML", "Dispatch", "Glibc",
          "Musl", "Darwin", "Synchronization", "Testing", "XCTest", "_Concurrency", "Observation", "os"}
# Products whose module is named otherwise than the product.
PRODUCT_MODULES = {"Histogram": {"Histogram"}, "Prometheus": {"Prometheus"}, "Logging": {"Logging"},
                   "ArgumentParser": {"ArgumentParser"}, "Yams": {"Yams"}}
IMPORT = re.compile(r"^\s*(?:@[A-Za-z_]+(?:\([^)]*\))?\s+)*import\s+(?:(?:struct|class|enum|protocol|func|var|let|"
                    r"typealias)\s+)?([A-Za-z_][A-Za-z0-9_]*)")


def imports(folder):
    """(file, line number, module) for every import line of the Swift sources under a folder."""
    for root, _, files in os.walk(folder):
        for f in sorted(files):
            if not f.endswith(".swift"):
                continue
            path = os.path.join(root, f)
            with open(path, encoding="utf-8") as text:
                in_string = False  # inside a multi-line string literal (a script a test writes, say)
                for number, line in enumerate(text, 1):
                    m = None if in_string else IMPORT.match(line)
                    if m:
                        yield path, number, m.group(1)
                    if line.count('"""') % 2 == 1:
                        in_string = not in_string


def target_folder(target, root):
    if target.get("path"):
        return os.path.join(root, target["path"])
    base = "Tests" if target["type"] == "test" else "Sources"
    return os.path.join(root, base, target["name"])


def names(dep):
    for kind in ("byName", "target", "product"):
        if kind in dep:
            yield dep[kind][0]


def main():
    if len(sys.argv) > 1:
        package = json.load(open(sys.argv[1]))
    else:
        package = json.loads(subprocess.run(["swift", "package", "dump-package"], check=True,
                                            capture_output=True, text=True).stdout)
    problems = []
    seen = set()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    module_targets = {t["name"] for t in package["targets"]}
    checked_imports = 0
    for target in package["targets"]:
        name = target["name"]
        declared = {d for dep in target.get("dependencies", []) for d in names(dep)}
        modules = set().union(*[PRODUCT_MODULES.get(d, {d}) for d in declared]) if declared else set()
        folder = target_folder(target, root)
        for path, number, module in imports(folder) if os.path.isdir(folder) else []:
            checked_imports += 1
            if module in SYSTEM or module == name or module in modules:
                continue
            where = os.path.relpath(path, root)
            kind = "a target of this package" if module in module_targets else "a module"
            problems.append(f"{where}:{number}: {name} imports {module} ({kind}) without declaring it in "
                            "Package.swift")
        if target["type"] == "test":
            continue
        seen.add(name)
        if name not in ALLOWED:
            problems.append(f"{name}: a new target; add it to the graph in docs/ARCHITECTURE.md and here")
            continue
        for dep in target.get("dependencies", []):
            for d in names(dep):
                if d not in ALLOWED[name]:
                    problems.append(f"{name} -> {d}: not an arrow of the pipeline (docs/ARCHITECTURE.md)")
    for missing in sorted(set(ALLOWED) - seen):
        problems.append(f"{missing}: in the graph but not in Package.swift")
    for p in problems:
        print("FAIL " + p)
    if problems:
        sys.exit(1)
    print(f"ok   {len(seen)} targets, every dependency an arrow of the pipeline; {checked_imports} import lines, "
          "each of a declared dependency")


if __name__ == "__main__":
    main()
