#!/usr/bin/env python3
"""Validates Cucumber Messages NDJSON against the messages JSON schema, one envelope per line.

usage: validate_messages.py SCHEMA NDJSON...   (exit 1 and the first problems on failure)
Needs: pip install jsonschema
"""
import json, sys
from jsonschema import Draft202012Validator

schema = json.load(open(sys.argv[1], encoding="utf-8"))
validator = Draft202012Validator(schema)
bad = 0
count = 0
for path in sys.argv[2:]:
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            count += 1
            for error in validator.iter_errors(json.loads(line)):
                bad += 1
                if bad <= 10:
                    print("%s:%d: %s at %s" % (path, n, error.message, "/".join(map(str, error.absolute_path))))
print("%d envelopes, %d problems" % (count, bad))
sys.exit(1 if bad else 0)
