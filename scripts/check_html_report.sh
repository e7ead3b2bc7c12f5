#!/usr/bin/env bash
# Opens an HTML report in headless Chromium: no console errors, and the summary, the readiness
# matrix and scenario steps are in the rendered page.   usage: scripts/check_html_report.sh [--hostile] FILE
# --hostile: FILE was rendered from scripts/fixtures/hostile.ndjson, whose scripts would set the title
# to PWNED or add <b id="pwned">; the rendered DOM must show neither, and the file must carry the CSP.
set -euo pipefail
hostile=0
if [ "${1:-}" = "--hostile" ]; then hostile=1; shift; fi
file=$(readlink -f "$1")
out=$(mktemp -d)
timeout 120 chromium --headless --no-sandbox --disable-gpu --enable-logging=stderr --v=0 \
  --virtual-time-budget=3000 --dump-dom "file://$file" > "$out/dom.html" 2> "$out/console.log"
if grep -E 'CONSOLE|Uncaught' "$out/console.log"; then echo "FAIL console messages in $1"; exit 1; fi
for marker in 'id="summary"' 'id="matrix"' 'class="steps"' 'Readiness by card' \
  "Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\""; do
  grep -qF "$marker" "$out/dom.html" || { echo "FAIL $1 lacks $marker once rendered"; exit 1; }
done
if grep -qiE '<script|<iframe|<object|<embed' "$file"; then echo "FAIL $1 contains active markup"; exit 1; fi
if [ $hostile = 1 ]; then
  if grep -qE '<title>PWNED|<b id="pwned">' "$out/dom.html"; then echo "FAIL a script ran in $1"; exit 1; fi
  grep -q '<title>' "$out/dom.html" || { echo "FAIL $1 has no title once rendered"; exit 1; }
  echo "ok   $1: no script ran (title unchanged, no injected element)"
fi
echo "ok   $1 renders in Chromium with no console errors (summary, matrix, steps, CSP present)"
