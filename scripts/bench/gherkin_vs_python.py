#!/usr/bin/env python3
"""Parser benchmark: `kafka-bdd pickles` against the official Python parser, on the same files,
in one run. Both parse every feature file and write its pickles as NDJSON to /dev/null.

usage: scripts/bench/gherkin_vs_python.py [CORPUS_DIR] [--megabytes 20] [--runs 3] [--c-gherkin PATH]
Needs a release build (swift build -c release) and `pip install gherkin-official`.
Without CORPUS_DIR a reproducible corpus is generated under /tmp.
--c-gherkin names an already-built CLI of the official C implementation (cucumber/gherkin's c/,
`gherkinexe`) to time as well; it is given the file list, as it takes no folders.
"""
import argparse, os, subprocess, sys, time

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(os.path.dirname(here))

def corpus_size(d):
    total, files = 0, 0
    for dirpath, _, names in os.walk(d):
        for n in names:
            if n.endswith(".feature"):
                total += os.path.getsize(os.path.join(dirpath, n))
                files += 1
    return files, total

def best_of(cmd, runs):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        with open(os.devnull, "wb") as null:
            subprocess.run(cmd, stdout=null, check=True)
        times.append(time.perf_counter() - start)
    return min(times)

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus", nargs="?")
    ap.add_argument("--megabytes", type=float, default=20)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--c-gherkin")
    a = ap.parse_args()
    corpus = a.corpus or "/tmp/kafka-bdd-gherkin-corpus-%g" % a.megabytes
    if not a.corpus and not os.path.isdir(corpus):
        subprocess.run([sys.executable, os.path.join(here, "gherkin_corpus.py"), corpus, "--megabytes", str(a.megabytes)], check=True)
    files, size = corpus_size(corpus)
    ours = os.path.join(root, ".build", "release", "kafka-bdd")
    if not os.path.exists(ours):
        sys.exit("build first: swift build -c release")
    t_ours = best_of([ours, "pickles", corpus], a.runs)
    t_py = best_of([sys.executable, os.path.join(here, "python_pickles.py"), corpus], max(1, a.runs - 2))
    t_c = None
    if a.c_gherkin:
        paths = sorted(os.path.join(d, n) for d, _, ns in os.walk(corpus) for n in ns if n.endswith(".feature"))
        t_c = best_of([a.c_gherkin, "--no-ast", "--no-source"] + paths, a.runs)
    mb = size / 1e6
    print("corpus: %d files, %.1f MB (%s)" % (files, mb, corpus))
    print("kafka-bdd pickles      : %6.2f s  %6.1f MB/s" % (t_ours, mb / t_ours))
    print("python gherkin-official: %6.2f s  %6.1f MB/s" % (t_py, mb / t_py))
    if t_c:
        print("official C gherkin     : %6.2f s  %6.1f MB/s" % (t_c, mb / t_c))
    print("speed-up over Python: %.1fx" % (t_py / t_ours))
    if t_c:
        print("speed vs C: %.2fx" % (t_c / t_ours))

if __name__ == "__main__":
    main()
