#!/usr/bin/env bash
# Gate one chapter of the study plan in any CI: runs its scenarios, writes JUnit and HTML, and
# exits non-zero when the chapter is not ready.
#   ci/gate-chapter.sh KAF-07 [--cluster embedded|compose|external] [--reports DIR]
# Needs: Swift 6, librdkafka-dev (installed when missing on Debian/Ubuntu).
set -euo pipefail
card=${1:?usage: ci/gate-chapter.sh KAF-NN [--cluster BACKEND] [--reports DIR]}
shift
cluster=${KAFKA_BDD_CLUSTER:-embedded}
reports=reports/$card
while [ $# -gt 0 ]; do
  case "$1" in
    --cluster) cluster=$2; shift 2 ;;
    --reports) reports=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
[[ "$card" =~ ^(KAF-[0-9]{2}|capstone)$ ]] || { echo "expected a card such as KAF-07, got $card" >&2; exit 2; }
cd "$(dirname "$0")/.."
make -s build
mkdir -p "$reports"
set +e
.build/debug/kafka-bdd run Features --tags "@$card" --cluster "$cluster" --format progress \
  --report "junit:$reports/junit.xml" --report "html:$reports/index.html" --report "message:$reports/messages.ndjson"
status=$?
set -e
if [ $status -eq 0 ] && ! grep -q '<testcase' "$reports/junit.xml"; then
  echo "no scenario is tagged @$card: nothing proves the chapter" >&2
  exit 1
fi
exit $status
