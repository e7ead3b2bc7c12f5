#!/usr/bin/env bash
# A second librdkafka: the same binary and test build with the library of the confluent-kafka 2.16.2
# wheel loaded through LD_LIBRARY_PATH (ABI-compatible with the 2.0.2 it is built against). Runs every
# chapter on the embedded cluster (2.16's own mock) and the client tests; any failure fails CI.
# When the wheel cannot be had, the job says so and exits 0.
#   ci/librdkafka-2.16.sh [WORK_DIR]     (after `swift build --build-tests`)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$PWD/.build/debug/kafka-bdd
. ci/wheels.sh
skip() { echo "SKIPPED the librdkafka 2.16 job: $1"; exit 0; }
work=$(work_dir "${1:-}")
venv_with "$work" confluent-kafka==2.16.2
wheel_librdkafka "$work"
export LD_LIBRARY_PATH=$work/lib

version=$("$bin" --version)
case "$version" in
  *"librdkafka 2.16."*) echo "kafka-bdd $version" ;;
  *) echo "FAIL LD_LIBRARY_PATH did not load the wheel's librdkafka: kafka-bdd --version says $version"; exit 1 ;;
esac

set +e
# Four at a time, as a user runs a large suite (the soak shows the verdicts do not depend on it).
timeout 900 "$bin" run Features --parallel 4 --format summary --report "message:$work/messages.ndjson" \
  > "$work/run.out" 2>&1
status=$?
set -e
summary=$(tail -n 1 "$work/run.out")
if [ $status -ne 0 ]; then
  echo "FAIL the chapters with librdkafka 2.16 (exit $status): $summary"
  grep -A3 "(failed" "$work/run.out" | head -n 40
  exit 1
fi
echo "ok   the chapters with librdkafka 2.16: $summary"

# The suites that talk to librdkafka itself (clients, the mock, diagnosis), not the whole-chapter runs.
suites="AcksAllReplicationTests|ApiVersionsDiscoveryTests|AvroTests|ClientLogLevelTests|ClosedWhileInUseTests"
suites+="|ConnectionDiagnosisTests|DeliveryReportPathTests|EmbeddedClusterTests|ClientStatisticsTests"
suites+="|GroupAndTransactionTests|AdminWithoutSupportTests|MetricsExportTests|NullStringTests|ProbeAddressTests"
suites+="|PropertiesTests|TLSFilesTests|ChildProcessLaunchTests"
set +e
timeout 900 swift test --skip-build --filter "(KafkaClientTests|ClusterTests|DrillsTests)\.($suites)" > "$work/tests.out" 2>&1
status=$?
set -e
result=$(grep -E "^. Test run with" "$work/tests.out" | tail -n 1)
# A filter that names no test would pass with nothing run.
case "$result" in *" with 0 tests"*|"") echo "FAIL the client tests with librdkafka 2.16 ran no test"; exit 1;; esac
if [ $status -ne 0 ]; then
  echo "FAIL the client tests with librdkafka 2.16 (exit $status): $result"
  grep -E "✘" "$work/tests.out" | head -n 20
  exit 1
fi
echo "ok   the client tests with librdkafka 2.16: $result"
