#!/usr/bin/env bash
# Gate one chapter of the study plan in any CI: runs its scenarios, writes JUnit and HTML, prints
# each acceptance criterion as verified, skipped (with the reason) or failed, and exits non-zero
# when the chapter is not ready: any failure, or nothing verified at all.
#   ci/gate-chapter.sh KAF-07 [--cluster embedded|compose|external] [--reports DIR] [--require-verified]
#                             [--tags EXPR]
# --require-verified also fails on any skipped criterion (use it where the cluster models everything).
# --tags narrows the chapter's scenarios, e.g. "not @embedded-only" on a real cluster (no error injection).
# Needs: Swift 6, librdkafka-dev (installed when missing on Debian/Ubuntu), python3.
set -euo pipefail
card=${1:?usage: ci/gate-chapter.sh KAF-NN [--cluster BACKEND] [--reports DIR] [--require-verified] [--tags EXPR]}
shift
cluster=${KAFKA_BDD_CLUSTER:-embedded}
reports=reports/$card
require_verified=0
tags="@$card"
while [ $# -gt 0 ]; do
  case "$1" in
    --cluster) cluster=$2; shift 2 ;;
    --reports) reports=$2; shift 2 ;;
    --require-verified) require_verified=1; shift ;;
    --tags) tags="@$card and ($2)"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
[[ "$card" =~ ^(KAF-[0-9]{2}|capstone)$ ]] || { echo "expected a card such as KAF-07, got $card" >&2; exit 2; }
cd "$(dirname "$0")/.."
make -s build
mkdir -p "$reports"
set +e
.build/debug/kafka-bdd run Features --tags "$tags" --cluster "$cluster" --format progress \
  --report "junit:$reports/junit.xml" --report "html:$reports/index.html" --report "message:$reports/messages.ndjson"
status=$?
set -e
if [ $status -eq 2 ]; then
  echo "gate $card: the run could not start (see above)" >&2
  exit 2
fi
python3 - "$reports/messages.ndjson" "$card" "$require_verified" "$status" <<'PY'
import json, sys
stream, card, require_verified, status = sys.argv[1], sys.argv[2], sys.argv[3] == "1", int(sys.argv[4])
rank = {"PASSED": 0, "SKIPPED": 1, "PENDING": 2, "UNDEFINED": 3, "AMBIGUOUS": 4, "FAILED": 5}
pickles, cases, started, worst, reason = {}, {}, {}, {}, {}
for line in open(stream, encoding="utf-8"):
    e = json.loads(line)
    if "pickle" in e:
        p = e["pickle"]; pickles[p["id"]] = f"{p['name']} ({p['uri']}:{p['location']['line']})"
    elif "testCase" in e:
        cases[e["testCase"]["id"]] = e["testCase"]["pickleId"]
    elif "testCaseStarted" in e:
        started[e["testCaseStarted"]["id"]] = e["testCaseStarted"]["testCaseId"]; worst[e["testCaseStarted"]["id"]] = "PASSED"
    elif "testStepFinished" in e:
        f = e["testStepFinished"]; r = f["testStepResult"]; sid = f["testCaseStartedId"]
        if rank.get(r["status"], 6) > rank.get(worst[sid], 6):
            worst[sid] = r["status"]; reason[sid] = r.get("message", "")
counts = {"verified": 0, "skipped": 0, "failed": 0}
for sid, tc in started.items():
    status_ = worst[sid]
    word = {"PASSED": "verified", "SKIPPED": "skipped"}.get(status_, "failed")
    counts[word] += 1
    why = reason.get(sid, "").strip().splitlines()
    print(f"{word:>8}  {pickles[cases[tc]]}" + (f"\n          {why[0][:300]}" if word != "verified" and why else ""))
print(f"gate {card}: {counts['verified']} verified, {counts['skipped']} skipped, {counts['failed']} failed")
if counts["failed"] or status == 1:
    sys.exit(1)
if counts["verified"] == 0:
    print(f"gate {card}: nothing was verified — the chapter is not proven on this cluster", file=sys.stderr)
    sys.exit(1)
if require_verified and counts["skipped"]:
    print(f"gate {card}: --require-verified and {counts['skipped']} criteria were skipped", file=sys.stderr)
    sys.exit(1)
PY
