#!/usr/bin/env python3
"""Writes a corpus of feature files for the parser benchmark.

usage: gherkin_corpus.py OUTDIR [--megabytes 20] [--seed 7]
       gherkin_corpus.py OUTDIR --real SOURCE...
The first form generates a reproducible corpus whose files mix what real suites contain: tags,
descriptions, backgrounds, rules, scenario outlines with several examples tables, data tables, doc
strings, comments, and a few other dialects.
The second copies the real .feature files (UTF-8 ones) of each SOURCE, a folder or a git directory (a bare
repository or a checkout's .git), optionally at a revision (`DIR@REV`; HEAD otherwise), into
OUTDIR/NAME/PATH, NAME being the source's folder name. Nothing is fetched: the sources are local.
"""
import argparse, os, random, subprocess

WORDS = ("broker topic partition replica leader follower consumer producer group offset record "
         "batch commit lag retention segment compaction transaction fence coordinator schema "
         "payment order invoice customer account shipment warehouse session token cache").split()

DIALECTS = {
    "en": dict(feature="Feature", background="Background", scenario="Scenario", outline="Scenario Outline",
               examples="Examples", rule="Rule", given="Given ", when="When ", then="Then ", and_="And ", but="But "),
    "fr": dict(feature="Fonctionnalité", background="Contexte", scenario="Scénario", outline="Plan du scénario",
               examples="Exemples", rule="Règle", given="Soit ", when="Quand ", then="Alors ", and_="Et ", but="Mais "),
    "de": dict(feature="Funktionalität", background="Grundlage", scenario="Szenario", outline="Szenariogrundriss",
               examples="Beispiele", rule="Regel", given="Angenommen ", when="Wenn ", then="Dann ", and_="Und ", but="Aber "),
}

def sentence(r, n=None):
    return " ".join(r.choice(WORDS) for _ in range(n or r.randint(3, 9)))

def table(r, indent, cols, rows, placeholder_row=None):
    widths = [r.randint(4, 12) for _ in range(cols)]
    lines = []
    data = [placeholder_row] if placeholder_row else []
    data += [[r.choice(WORDS) if r.random() < .7 else str(r.randint(0, 99999)) for _ in range(cols)] for _ in range(rows)]
    for row in data:
        lines.append(indent + "| " + " | ".join(c.ljust(w) for c, w in zip(row, widths)) + " |")
    return lines

def steps(r, k, indent, count, placeholders=()):
    out = []
    kinds = [k["given"], k["and_"], k["when"], k["and_"], k["then"], k["and_"], k["but"]]
    for i in range(count):
        text = sentence(r)
        if placeholders and r.random() < .5:
            text += " <%s>" % r.choice(placeholders)
        if r.random() < .3:
            text += ' "%s"' % r.choice(WORDS)
        if r.random() < .2:
            text += " %d times" % r.randint(1, 1000)
        out.append(indent + kinds[min(i, len(kinds) - 1)] + text)
        roll = r.random()
        if roll < .12:
            out += table(r, indent + "  ", r.randint(2, 5), r.randint(2, 8))
        elif roll < .18:
            out.append(indent + '  """json')
            out += [indent + '  {"%s": %d, "%s": "%s"}' % (r.choice(WORDS), r.randint(0, 9), r.choice(WORDS), sentence(r, 3))
                    for _ in range(r.randint(1, 6))]
            out.append(indent + '  """')
    return out

def scenario(r, k, indent):
    out = []
    if r.random() < .5:
        out.append(indent + " ".join("@" + r.choice(WORDS) for _ in range(r.randint(1, 3))))
    if r.random() < .3:
        names = sorted(set(r.choice(WORDS) for _ in range(r.randint(1, 4))))
        out.append(indent + "%s: %s <%s>" % (k["outline"], sentence(r), names[0]))
        out += steps(r, k, indent + "  ", r.randint(3, 8), names)
        for _ in range(r.randint(1, 3)):
            out.append("")
            if r.random() < .4:
                out.append(indent + "  @" + r.choice(WORDS))
            out.append(indent + "  %s: %s" % (k["examples"], sentence(r, 3)))
            out += table(r, indent + "    ", len(names), r.randint(2, 12), names)
    else:
        out.append(indent + "%s: %s" % (k["scenario"], sentence(r)))
        if r.random() < .2:
            out.append(indent + "  " + sentence(r, 12))
        out += steps(r, k, indent + "  ", r.randint(3, 9))
    out.append("")
    return out

def feature(r):
    lang = "en" if r.random() < .9 else r.choice(["fr", "de"])
    k = DIALECTS[lang]
    out = []
    if lang != "en":
        out.append("# language: %s" % lang)
    if r.random() < .6:
        out.append(" ".join("@" + r.choice(WORDS) for _ in range(r.randint(1, 4))))
    out.append("%s: %s" % (k["feature"], sentence(r)))
    out += ["  " + sentence(r, 14) for _ in range(r.randint(0, 4))]
    out.append("")
    if r.random() < .4:
        out.append("  %s:" % k["background"])
        out += steps(r, k, "    ", r.randint(1, 4))
        out.append("")
    for _ in range(r.randint(2, 8)):
        if r.random() < .1:
            out.append("  # " + sentence(r))
        out += scenario(r, k, "  ")
    if r.random() < .2:
        out.append("  %s: %s" % (k["rule"], sentence(r)))
        out.append("")
        for _ in range(r.randint(1, 4)):
            out += scenario(r, k, "    ")
    return "\n".join(out) + "\n"

def source_name(path):
    parts = [p for p in os.path.abspath(path).split(os.sep) if p and p not in ("repo", ".git")]
    return parts[-1].removesuffix(".git")

def is_utf8(data):
    # Every parser compared reads UTF-8 only; a Latin-1 file would only time an error path.
    try:
        data.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False

def copy_real(source, outdir):
    """Copies the .feature files of one source; returns (files, bytes)."""
    path, _, rev = source.partition("@")
    dest = os.path.join(outdir, source_name(path) + ("@" + rev[:10] if rev else ""))
    files, size = 0, 0
    git = ["git", "--git-dir", path] if os.path.exists(os.path.join(path, "HEAD")) else None
    if git is None and os.path.isdir(os.path.join(path, ".git")) and rev:
        git = ["git", "--git-dir", os.path.join(path, ".git")]
    if git:
        listing = subprocess.run(git + ["ls-tree", "-r", "-z", "--name-only", rev or "HEAD"],
                                 check=True, capture_output=True).stdout.decode().split("\0")
        for name in (n for n in listing if n.endswith(".feature")):
            data = subprocess.run(git + ["cat-file", "blob", "%s:%s" % (rev or "HEAD", name)],
                                  check=True, capture_output=True).stdout
            if not is_utf8(data):
                continue
            target = os.path.join(dest, name)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "wb") as f:
                f.write(data)
            files, size = files + 1, size + len(data)
        return files, size
    for d, _, names in os.walk(path):
        for n in names:
            if not n.endswith(".feature"):
                continue
            with open(os.path.join(d, n), "rb") as f:
                data = f.read()
            if not is_utf8(data):
                continue
            target = os.path.join(dest, os.path.relpath(os.path.join(d, n), path))
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "wb") as f:
                f.write(data)
            files, size = files + 1, size + len(data)
    return files, size

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("outdir")
    ap.add_argument("--megabytes", type=float, default=20)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--real", nargs="+", metavar="SOURCE", help="copy the .feature files of these folders or git dirs")
    a = ap.parse_args()
    if a.real:
        total_files, total = 0, 0
        for source in a.real:
            files, size = copy_real(source, a.outdir)
            print("%6d files %10d bytes  %s" % (files, size, source))
            total_files, total = total_files + files, total + size
        print("%d files, %d bytes in %s" % (total_files, total, a.outdir))
        return
    r = random.Random(a.seed)
    os.makedirs(a.outdir, exist_ok=True)
    total, n = 0, 0
    while total < a.megabytes * 1_000_000:
        text = feature(r).encode("utf-8")
        sub = os.path.join(a.outdir, "suite%02d" % (n % 40))
        os.makedirs(sub, exist_ok=True)
        with open(os.path.join(sub, "f%05d.feature" % n), "wb") as f:
            f.write(text)
        total += len(text)
        n += 1
    print("%d files, %d bytes in %s" % (n, total, a.outdir))

if __name__ == "__main__":
    main()
