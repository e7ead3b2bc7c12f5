#!/usr/bin/env python3
"""Writes a reproducible corpus of realistic feature files for the parser benchmark.

usage: gherkin_corpus.py OUTDIR [--megabytes 20] [--seed 7]
Files mix what real suites contain: tags, descriptions, backgrounds, rules, scenario outlines
with several examples tables, data tables, doc strings, comments, and a few other dialects.
"""
import argparse, os, random

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

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("outdir")
    ap.add_argument("--megabytes", type=float, default=20)
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
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
