#!/usr/bin/env bash
# Opens an HTML report in headless Chromium: no console errors, and the summary, the readiness
# matrix and scenario steps are in the rendered page.   usage: scripts/check_html_report.sh FILE
set -euo pipefail
file=$(readlink -f "$1")
out=$(mktemp -d)
timeout 120 chromium --headless --no-sandbox --disable-gpu --enable-logging=stderr --v=0 --dump-dom "file://$file" \
  > "$out/dom.html" 2> "$out/console.log"
if grep -E 'CONSOLE|Uncaught' "$out/console.log"; then echo "FAIL console messages in $1"; exit 1; fi
for marker in 'id="summary"' 'id="matrix"' 'class="steps"' 'Readiness by card'; do
  grep -q "$marker" "$out/dom.html" || { echo "FAIL $1 lacks $marker once rendered"; exit 1; }
done
echo "ok   $1 renders in Chromium with no console errors (summary, matrix, steps present)"
