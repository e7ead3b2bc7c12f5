#!/usr/bin/env python3
"""Writes scripts/fixtures/hostile.ndjson: cucumber's attachments sample with script in every name,
description and step text, and attachments of every media type carrying script. Any script that
runs sets the title to PWNED or adds <b id="pwned">; check_html_report.sh --hostile looks for both.
usage: make_hostile_stream.py SAMPLE.ndjson > scripts/fixtures/hostile.ndjson"""
import base64, json, sys

RUN = "document.title='PWNED';document.body.insertAdjacentHTML('beforeend','<b id=pwned>x</b>')"
TEXT = (f" <script>{RUN}</script><img src=x onerror=\"{RUN}\"><img src=x onerror='{RUN}'>"
        f"<svg onload='{RUN}'></svg><a href=\"javascript:{RUN}\">*md* `code` [l](javascript:{RUN})</a>")
SVG = (f"<svg xmlns='http://www.w3.org/2000/svg' onload='{RUN}'><script>{RUN}</script>"
       f"<foreignObject><img src=x onerror=\"{RUN}\"/></foreignObject><rect width='9' height='9'/></svg>"
       f"<img src=x onerror='{RUN}'>")
HTML = f"<html><body onload=\"{RUN}\"><script>{RUN}</script></body></html>"

def poison(value):
    if isinstance(value, dict):
        return {k: (v + TEXT if k in ("name", "description", "text") and isinstance(v, str) else poison(v))
                for k, v in value.items()}
    if isinstance(value, list):
        return [poison(v) for v in value]
    return value

def b64(s):
    return base64.b64encode(s.encode()).decode()

out, where = [], None
for line in open(sys.argv[1]):
    env = json.loads(line)
    if "source" in env:
        continue  # the Gherkin source is not rendered, and poisoning it would no longer parse
    if "attachment" in env and where is None:
        a = env["attachment"]
        where = {k: a[k] for k in ("testCaseStartedId", "testStepId") if k in a}
    out.append(poison(env) if any(k in env for k in ("gherkinDocument", "pickle")) else env)
    if "testStepFinished" in env and where and env["testStepFinished"]["testStepId"] == where.get("testStepId"):
        hostile = [
            ("image/svg+xml", "IDENTITY", SVG), ("image/svg+xml", "BASE64", b64(SVG)),
            ("text/html", "IDENTITY", HTML), ("text/html", "BASE64", b64(HTML)),
            ("text/markdown", "IDENTITY", f"| a | b{TEXT} |\n| --- | --- |\n| <script>{RUN}</script> | 2 |"),
            ("text/plain", "IDENTITY", TEXT), ("application/json", "IDENTITY", json.dumps({"x": TEXT})),
            ("image/png", "BASE64", f"\"><script>{RUN}</script>"), ("image/png", "IDENTITY", TEXT),
            (f"image/png\"><script>{RUN}</script>", "BASE64", b64(SVG)),
            (f"text/x\" onmouseover=\"{RUN}", "BASE64", b64(HTML)),
            ("application/octet-stream", "BASE64", b64(HTML)),
        ]
        for media, enc, body in hostile:
            out.insert(len(out) - 1, {"attachment": {**where, "body": body, "contentEncoding": enc,
                                                     "mediaType": media, "fileName": f"f{TEXT}"}})
for env in out:
    print(json.dumps(env, separators=(",", ":")))
