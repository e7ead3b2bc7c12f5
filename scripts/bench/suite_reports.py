#!/usr/bin/env python3
"""Prints what writing reports costs the Swift Testing suite, for 37 and 370 scenarios.

Each scenario is one cheap, cluster-free step, so the time is the harness's own. The suite runs
with and without KAFKA_BDD_REPORTS; the difference divided by the scenario count should stay flat
as the count grows tenfold (linear overhead). Run `swift build --build-tests` first.
Usage: python3 scripts/bench/suite_reports.py [--runs 3] [--sizes 37,370]
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

STEP = ('Then the document "docs/kaf-01/why-kafka.md" has 3 use cases that each name producers, '
        'topics and partitions, and consumers')


def features(folder, count):
    per_file = 10
    for f in range(0, count, per_file):
        with open(os.path.join(folder, f"generated-{f // per_file:04d}.feature"), "w") as out:
            out.write(f"Feature: generated {f // per_file}\n")
            for i in range(f, min(count, f + per_file)):
                out.write(f"\n  Scenario: scenario {i}\n    {STEP}\n")


def run(folder, reports):
    env = dict(os.environ, KAFKA_BDD_FEATURES=folder)
    env.pop("KAFKA_BDD_REPORTS", None)
    if reports:
        env["KAFKA_BDD_REPORTS"] = reports
    start = time.monotonic()
    done = subprocess.run(["swift", "test", "--skip-build", "--filter", "OtherFeatures"], env=env,
                          capture_output=True, text=True)
    elapsed = time.monotonic() - start
    if done.returncode != 0:
        sys.exit(f"swift test failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return elapsed


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sizes", default="37,370,3700")
    args = parser.parse_args()
    print(f"{'scenarios':>9} {'plain s':>8} {'reports s':>9} {'overhead s':>10} {'ms/scenario':>11}")
    for n in map(int, args.sizes.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            folder = os.path.join(tmp, "features")
            os.mkdir(folder)
            features(folder, n)
            plain = min(run(folder, None) for _ in range(args.runs))
            with_reports = min(run(folder, os.path.join(tmp, f"reports{i}")) for i in range(args.runs))
            junit = open(os.path.join(tmp, "reports0", "junit.xml")).read()
            assert junit.count("<testcase") == n, "the JUnit report lists every scenario"
            overhead = with_reports - plain
            print(f"{n:>9} {plain:>8.2f} {with_reports:>9.2f} {overhead:>10.2f} {1000 * overhead / n:>11.2f}")


if __name__ == "__main__":
    main()
