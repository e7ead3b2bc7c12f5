#!/usr/bin/env python3
"""Parses `kafka-bdd metrics` output with the Prometheus project's Python parser and checks that it
holds the consumer lag of every partition, adding up to what was left unread.

usage: scripts/check_metrics.py FILE --topic events --partitions 6 --lag 100
"""
import argparse, sys
from prometheus_client.parser import text_string_to_metric_families

ap = argparse.ArgumentParser()
ap.add_argument("file")
ap.add_argument("--topic", required=True)
ap.add_argument("--partitions", type=int, required=True)
ap.add_argument("--lag", type=int, required=True, help="expected total lag")
a = ap.parse_args()

families = {f.name: f for f in text_string_to_metric_families(open(a.file).read())}
lag = families.get("kafka_bdd_consumer_lag_records")
if lag is None:
    sys.exit("no kafka_bdd_consumer_lag_records family; families: %s" % sorted(families))
per_partition = {int(s.labels["partition"]): s.value for s in lag.samples if s.labels.get("topic") == a.topic}
missing = sorted(set(range(a.partitions)) - set(per_partition))
if missing:
    sys.exit("no lag for partitions %s of %s" % (missing, a.topic))
total = sum(per_partition.values())
if total != a.lag:
    sys.exit("total lag %s, expected %s (%s)" % (total, a.lag, per_partition))
print("metrics: %d families parsed by prometheus_client; lag of %d partitions of %s, total %d" % (len(families), len(per_partition), a.topic, total))
