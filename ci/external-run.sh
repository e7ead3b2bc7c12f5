#!/usr/bin/env bash
# `--cluster external` for real: every chapter against a cluster in another process (`kafka-bdd cluster
# up`, three mock brokers that create topics through a requests folder), with a client.properties file.
# Fault scenarios skip (external has no fault operations) and so does what the mock does not model;
# nothing may fail, and no property value may show in the output or the reports. Run in two shards.
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

# Two shards side by side (`--shard 1/2` and `2/2`), each against its own `kafka-bdd cluster up`: the
# chapters mostly wait, and a whole-cluster read (an inventory) sees only its own shard's topics. `kafka-bdd
# merge` joins their streams into one run's reports, as a CI matrix's merge job would.
cluster_pids=()
stop_clusters() {
  for p in "${cluster_pids[@]}"; do kill -INT "$p" 2>/dev/null || true; done
  for p in "${cluster_pids[@]}"; do wait "$p" 2>/dev/null || true; done
}
trap stop_clusters EXIT
bootstraps=()
for n in 1 2; do
  "$bin" cluster up --brokers 3 --topic-requests "$out/topic-requests-$n" > "$out/cluster-$n.out" 2>&1 &
  cluster_pids+=($!)
  for _ in $(seq 1 100); do
    grep -q '^bootstrap.servers=' "$out/cluster-$n.out" && break
    kill -0 "${cluster_pids[$((n - 1))]}" 2>/dev/null || break
    sleep 0.1
  done
  bootstrap=$(sed -n 's/^bootstrap.servers=//p' "$out/cluster-$n.out")
  [ -n "$bootstrap" ] || { echo "FAIL cluster up printed no bootstrap servers"; cat "$out/cluster-$n.out"; exit 1; }
  bootstraps+=("$bootstrap")
done
export KAFKA_BDD_CLIENT_PROPERTIES=$out/client.properties

run_pids=()
for n in 1 2; do
  KAFKA_BDD_BOOTSTRAP=${bootstraps[$((n - 1))]} KAFKA_BDD_TOPIC_REQUESTS=$out/topic-requests-$n \
    "$bin" run Features --cluster external --shard "$n/2" --format progress \
    --report "message:$out/messages-$n.ndjson" > "$out/run-$n.out" 2>&1 &
  run_pids+=($!)
done
for n in 1 2; do
  set +e
  wait "${run_pids[$((n - 1))]}"
  status=$?
  set -e
  if [ $status -ne 0 ]; then
    echo "FAIL the chapters on --cluster external, shard $n/2 (exit $status)"; cat "$out/run-$n.out"; exit 1
  fi
done
set +e
"$bin" merge "$out/messages-1.ndjson" "$out/messages-2.ndjson" --report "junit:$out/junit.xml" \
  --report "message:$out/messages.ndjson" > "$out/run.out" 2>&1
status=$?
set -e
cat "$out/run-1.out" "$out/run-2.out" >> "$out/run.out"
summary=$(python3 scripts/check_outcomes.py "$out/messages.ndjson" --list | awk -F'\t' '{print $3}' | sort | uniq -c \
  | awk '{printf "%s%d %s", (NR > 1 ? ", " : ""), $1, $2} END {print ""}')
echo "external: $summary (two shards, merged)"
if [ $status -ne 0 ]; then
  echo "FAIL the chapters on --cluster external (merge exit $status)"; cat "$out/run.out"; exit 1
fi
grep -q 'passed' <<< "$summary" || { echo "FAIL nothing passed on --cluster external"; exit 1; }
if grep -q 'failed' <<< "$summary"; then echo "FAIL a scenario failed on --cluster external"; exit 1; fi
grep -q 'does not model broker kill and restart' "$out/messages.ndjson" \
  || { echo "FAIL no fault scenario was skipped with its reason"; exit 1; }
if grep -rqF "$secret" "$out"/run*.out "$out/junit.xml" "$out"/messages*.ndjson "$out"/cluster-*.out; then
  echo "FAIL the client properties' secret shows in the output or the reports"; exit 1
fi
export KAFKA_BDD_BOOTSTRAP=${bootstraps[0]} KAFKA_BDD_TOPIC_REQUESTS=$out/topic-requests-1

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
