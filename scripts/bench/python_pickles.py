#!/usr/bin/env python3
"""The official Python parser (pip: gherkin-official) doing what `kafka-bdd pickles` does:
parse each feature file given, or under the given folders, and write its pickles as sorted-key NDJSON."""
import json, os, sys
from gherkin.stream.gherkin_events import GherkinEvents
from gherkin.stream.source_events import source_event
from pathlib import Path

paths = []
for root in sys.argv[1:]:
    if os.path.isfile(root):
        paths.append(root)
    for d, _, files in os.walk(root):
        paths += [os.path.join(d, f) for f in files if f.endswith(".feature")]
paths.sort()
events = GherkinEvents(GherkinEvents.Options(print_source=False, print_ast=False, print_pickles=True))
out = sys.stdout
for p in paths:
    for e in events.enum(source_event(Path(p))):
        out.write(json.dumps(e, sort_keys=True, separators=(",", ":"), ensure_ascii=False))
        out.write("\n")
