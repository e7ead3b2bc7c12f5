#!/usr/bin/env python3
"""Fails when a target depends on a target outside the allowed pipeline graph.

The graph is the one docs/ARCHITECTURE.md draws; change both together, with the reason there.
Reads `swift package dump-package` (or a saved dump given as the first argument).
"""
import json
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
    "CRdKafka": set(),
    "KafkaClient": {"CRdKafka", "Histogram", "Prometheus", "Logging"},
    "Cluster": {"KafkaClient"},
    "CPostgres": set(),
    "Postgres": {"CPostgres"},
    # Streams: the capstone's windowed totals share KAF-14's tumbling-window definition.
    "ChangeCapture": {"Postgres", "KafkaClient", "Prometheus", "Streams"},
    "Verification": set(),
    "Operations": set(),
    "Streams": set(),
    "Processing": {"KafkaClient", "Streams"},
    "Steps": {"Runtime", "Cluster", "KafkaClient", "Verification", "Operations", "Streams", "Processing", "Postgres",
              "ChangeCapture"},
    "kafka-bdd": {"Messages", "Gherkin", "Expressions", "Runtime", "Reporting", "Session", "KafkaClient", "Cluster",
                  "Steps", "Operations", "Streams", "Processing", "ArgumentParser"},
}
# Test targets may use anything; they are not part of the pipeline.


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
    for target in package["targets"]:
        name = target["name"]
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
    print(f"ok   {len(seen)} targets, every dependency an arrow of the pipeline")


if __name__ == "__main__":
    main()
