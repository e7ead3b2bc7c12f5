#!/usr/bin/env python3
"""Writes what the official Python parser (pip: gherkin-official) makes of each regression fixture,
in the layout of cucumber/gherkin's testdata: good/X.feature gets X.feature.ast.ndjson and
X.feature.pickles.ndjson, bad/X.feature gets X.feature.errors.ndjson.

usage: scripts/gherkin_expected.py [FIXTURES_DIR]   (default Tests/GherkinTests/Fixtures)
Review the diff before committing: the files are the reference our parser is tested against.
"""
import json, os, sys
from pathlib import Path
from gherkin.stream.gherkin_events import GherkinEvents
from gherkin.stream.source_events import source_event

here = os.path.dirname(os.path.abspath(__file__))
default = os.path.join(here, "..", "Tests", "GherkinTests", "Fixtures")
fixtures = sys.argv[1] if len(sys.argv) > 1 else default
os.chdir(fixtures)  # uris read good/X.feature, as in the official testdata

def line(envelope):
    return json.dumps(envelope, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n"

for folder in ("good", "bad"):
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".feature"):
            continue
        path = os.path.join(folder, name)
        events = GherkinEvents(GherkinEvents.Options(print_source=False, print_ast=True, print_pickles=True))
        envelopes = list(events.enum(source_event(Path(path))))
        outputs = {"errors": [e for e in envelopes if "parseError" in e]} if folder == "bad" else {
            "ast": [e for e in envelopes if "gherkinDocument" in e],
            "pickles": [e for e in envelopes if "pickle" in e],
        }
        for kind, chosen in outputs.items():
            with open("%s.%s.ndjson" % (path, kind), "w", encoding="utf-8") as f:
                f.writelines(line(e) for e in chosen)
        print(path, ", ".join("%d %s" % (len(v), k) for k, v in outputs.items()))
