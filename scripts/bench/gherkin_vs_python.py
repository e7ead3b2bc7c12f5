#!/usr/bin/env python3
"""Parser benchmark: `kafka-bdd pickles` against the official parsers, on the same files. Each one
parses every feature file, compiles its pickles and writes them (and any parse errors) as NDJSON
to /dev/null.

usage: scripts/bench/gherkin_vs_python.py [CORPUS_DIR] [--megabytes 20] [--runs 5] [--c-parser PATH]
Needs a release build (swift build -c release) and `pip install gherkin-official`.
Without CORPUS_DIR a reproducible corpus is generated under /tmp; gherkin_corpus.py --real builds
one from real feature files. Files with parse errors are part of real corpora: exit status 2 (ours)
or non-zero (C) is expected then, a crash is not.
--c-parser names a CLI built from the official C implementation (cucumber/gherkin's c/, -O2; its
`gherkin` binary), run as `gherkin --no-ast --no-source FILE...` since it takes no folders.
Every parser is given the same files: ours and Python the folder (one beside the corpus, of hard
links, when files are left out), the C CLI the list of its files. Runs alternate between the
parsers so that a load spike on a shared machine hits them alike; the best of --runs is reported.
"""
import argparse, os, shutil, subprocess, sys, time

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(os.path.dirname(here))

def feature_files(d):
    return sorted(os.path.join(p, n) for p, _, ns in os.walk(d) for n in ns if n.endswith(".feature"))

def same_files(corpus, paths):
    """A folder beside the corpus holding just `paths` (hard links, so nothing is copied)."""
    folder = corpus.rstrip("/") + ".c-safe"
    if os.path.isdir(folder):
        shutil.rmtree(folder)
    for p in paths:
        target = os.path.join(folder, os.path.relpath(p, corpus))
        os.makedirs(os.path.dirname(target), exist_ok=True)
        try:
            os.link(p, target)
        except OSError:
            shutil.copyfile(p, target)
    return folder

def timed(cmd, ok):
    start = time.perf_counter()
    with open(os.devnull, "wb") as null:
        code = subprocess.run(cmd, stdout=null).returncode
    elapsed = time.perf_counter() - start
    if not ok(code):
        sys.exit("%s exited with %d" % (cmd[0], code))
    return elapsed

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus", nargs="?")
    ap.add_argument("--megabytes", type=float, default=20)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--c-parser", "--c-gherkin", dest="c_parser")
    ap.add_argument("--no-python", action="store_true", help="skip the (slow) Python parser")
    a = ap.parse_args()
    corpus = a.corpus or "/tmp/kafka-bdd-gherkin-corpus-%g" % a.megabytes
    if not a.corpus and not os.path.isdir(corpus):
        generator = os.path.join(here, "gherkin_corpus.py")
        subprocess.run([sys.executable, generator, corpus, "--megabytes", str(a.megabytes)], check=True)
    paths = feature_files(corpus)
    ours = os.path.join(root, ".build", "release", "kafka-bdd")
    if not os.path.exists(ours):
        sys.exit("build first: swift build -c release")
    if a.c_parser:
        # The C parser crashes on a few real files; every parser gets the files it survives.
        def crashes(p):
            run = subprocess.run([a.c_parser, "--no-ast", "--no-source", p],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            return run.returncode < 0
        crashed = [p for p in paths if crashes(p)]
        for p in crashed:
            print("left out, the C parser crashes on it: %s" % p)
        if crashed:
            paths = [p for p in paths if p not in set(crashed)]
            corpus = same_files(corpus, paths)
            paths = feature_files(corpus)
    size = sum(os.path.getsize(p) for p in paths)
    contenders = [("kafka-bdd pickles", [ours, "pickles", corpus], lambda c: c in (0, 2))]
    if a.c_parser:
        contenders.append(("official C gherkin", [a.c_parser, "--no-ast", "--no-source"] + paths, lambda c: c >= 0))
    best = {name: float("inf") for name, _, _ in contenders}
    for _ in range(a.runs):
        for name, cmd, ok in contenders:
            best[name] = min(best[name], timed(cmd, ok))
    if not a.no_python:
        py = [sys.executable, os.path.join(here, "python_pickles.py"), corpus]
        best["python gherkin-official"] = min(timed(py, lambda c: c == 0) for _ in range(max(1, a.runs // 3)))
    mb = size / 1e6
    print("corpus: %d files, %.1f MB (%s); best of %d runs" % (len(paths), mb, corpus, a.runs))
    for name, t in best.items():
        print("%-24s: %6.3f s  %6.1f MB/s" % (name, t, mb / t))
    t_ours = best["kafka-bdd pickles"]
    if "python gherkin-official" in best:
        print("speed-up over Python: %.1fx" % (best["python gherkin-official"] / t_ours))
    if a.c_parser:
        print("speed vs C: %.2fx (C time / our time; above 1 is faster than C)" % (best["official C gherkin"] / t_ours))

if __name__ == "__main__":
    main()
