#!/usr/bin/env bash
# `--cluster external` for real: every chapter against a cluster in another process (`kafka-bdd cluster
# up`, three mock brokers that create topics through a requests folder), with a client.properties file.
# Fault scenarios skip (external has no fault operations) and so does what the mock does not model;
# nothing may fail, and no property value may show in the output or the reports.
#   ci/external-run.sh [REPORTS_DIR]     (after `swift build`)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=.build/debug/kafka-bdd
out=${1:-$(mktemp -d)}
mkdir -p "$out"
secret="kbdd-secret-$RANDOM$RANDOM"
cat > "$out/client.properties" <<EOF
# A client id, and a secret the suite must never print.
client.id=kafka-bdd-external-ci
security.protocol=PLAINTEXT
sasl.password=$secret
EOF

"$bin" cluster up --brokers 3 --topic-requests "$out/topic-requests" > "$out/cluster.out" 2>&1 &
cluster_pid=$!
stop_cluster() { kill -INT $cluster_pid 2>/dev/null || true; wait $cluster_pid 2>/dev/null || true; }
trap stop_cluster EXIT
for _ in $(seq 1 100); do
  grep -q '^bootstrap.servers=' "$out/cluster.out" && break
  kill -0 $cluster_pid 2>/dev/null || break
  sleep 0.1
done
bootstrap=$(sed -n 's/^bootstrap.servers=//p' "$out/cluster.out")
[ -n "$bootstrap" ] || { echo "FAIL cluster up printed no bootstrap servers"; cat "$out/cluster.out"; exit 1; }
export KAFKA_BDD_BOOTSTRAP=$bootstrap KAFKA_BDD_CLIENT_PROPERTIES=$out/client.properties
export KAFKA_BDD_TOPIC_REQUESTS=$out/topic-requests

set +e
"$bin" run Features --cluster external --format progress --report "junit:$out/junit.xml" \
  --report "message:$out/messages.ndjson" > "$out/run.out" 2>&1
status=$?
set -e
tail -n 1 "$out/run.out" | sed 's/^/external: /'
if [ $status -ne 0 ]; then
  echo "FAIL the chapters on --cluster external (exit $status)"; cat "$out/run.out"; exit 1
fi
grep -q ' passed, 0 failed' "$out/run.out" || { echo "FAIL no summary line"; exit 1; }
if grep -q ' 0 passed' "$out/run.out"; then echo "FAIL nothing passed on --cluster external"; exit 1; fi
grep -q 'does not model broker kill and restart' "$out/messages.ndjson" \
  || { echo "FAIL no fault scenario was skipped with its reason"; exit 1; }
if grep -rqF "$secret" "$out/run.out" "$out/junit.xml" "$out/messages.ndjson" "$out/cluster.out"; then
  echo "FAIL the client properties' secret shows in the output or the reports"; exit 1
fi

# A property librdkafka refuses: the error names it, never its value.
printf 'acks=kbdd-not-a-value-%s\n' "$RANDOM" > "$out/bad.properties"
set +e
KAFKA_BDD_CLIENT_PROPERTIES=$out/bad.properties "$bin" run Features --cluster external > "$out/bad.out" 2>&1
status=$?
set -e
[ $status -eq 2 ] || { echo "FAIL a bad client property: exit $status, wanted 2"; cat "$out/bad.out"; exit 1; }
grep -q 'client property acks' "$out/bad.out" \
  || { echo "FAIL the error does not name the property"; cat "$out/bad.out"; exit 1; }
if grep -q 'kbdd-not-a-value' "$out/bad.out"; then echo "FAIL the error shows the property's value"; exit 1; fi
echo "ok   --cluster external: no failure, faults skipped with their reason, no property value shown"
