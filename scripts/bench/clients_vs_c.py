#!/usr/bin/env python3
"""Client speed: kafka-bdd's Swift producer and consumer against C programs doing the same work
through the same librdkafka, on the same embedded cluster, in one run.

usage: scripts/bench/clients_vs_c.py [--messages 1000000] [--consume-messages 100000] [--runs 3]
Needs a release build (swift build -c release) and cc with librdkafka-dev.
The mock cluster evicts old data past a few MiB per partition, so consumption is measured on at
most 100,000 records.
"""
import argparse, os, re, subprocess, sys, tempfile

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(os.path.dirname(here))
kbdd = os.path.join(root, ".build", "release", "kafka-bdd")

def rate(output):
    m = re.search(r"msgs_per_sec=(\d+)", output)
    if not m:
        sys.exit("no throughput in output:\n" + output)
    return float(m.group(1))

def run(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    if r.returncode != 0:
        sys.exit("%s failed:\n%s%s" % (" ".join(cmd), r.stdout, r.stderr))
    return r.stdout

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--messages", type=int, default=1_000_000)
    ap.add_argument("--consume-messages", type=int, default=100_000)
    ap.add_argument("--size", type=int, default=100)
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    if not os.path.exists(kbdd):
        sys.exit("build first: swift build -c release")
    build = tempfile.mkdtemp(prefix="kafka-bdd-cref-")
    for prog in ("producer", "consumer"):
        subprocess.run(["cc", "-O2", "-o", os.path.join(build, prog), os.path.join(here, "c-reference", prog + ".c"), "-lrdkafka"], check=True)

    topics = ["--topic", "fill:6:3"] + sum((["--topic", "c%d:6:3" % i, "--topic", "s%d:6:3" % i] for i in range(a.runs)), [])
    cluster = subprocess.Popen([kbdd, "cluster", "up", "--brokers", "3"] + topics, stdout=subprocess.PIPE, text=True)
    try:
        line = cluster.stdout.readline()
        bootstrap = line.strip().split("=", 1)[1]
        print("embedded cluster: %s" % bootstrap)
        c_prod, s_prod = [], []
        c_cmd = lambda i: [os.path.join(build, "producer"), bootstrap, "c%d" % i, str(a.messages), str(a.size)]
        s_cmd = lambda i: [kbdd, "bench", "produce", "--bootstrap", bootstrap, "--topic", "s%d" % i,
                           "--messages", str(a.messages), "--size", str(a.size)]
        for i in range(a.runs):
            # Alternate who goes first, so neither always meets a warmer or busier cluster.
            if i % 2 == 0:
                c_prod.append(rate(run(c_cmd(i)))); s_prod.append(rate(run(s_cmd(i))))
            else:
                s_prod.append(rate(run(s_cmd(i)))); c_prod.append(rate(run(c_cmd(i))))
        run([kbdd, "bench", "produce", "--bootstrap", bootstrap, "--topic", "fill", "--messages", str(a.consume_messages),
             "--size", str(a.size), "--acks", "1", "--idempotence", "false",
             "--property", "sticky.partitioning.linger.ms=0"])  # spread evenly: the mock evicts past 5 MiB a partition
        c_cons, s_cons = [], []
        for i in range(a.runs):
            c_cons.append(rate(run([os.path.join(build, "consumer"), bootstrap, "fill", "6", str(a.consume_messages)])))
            s_cons.append(rate(run([kbdd, "bench", "consume", "--bootstrap", bootstrap, "--topic", "fill", "--partitions", "6",
                                    "--messages", str(a.consume_messages)])))
    finally:
        cluster.send_signal(2)
        cluster.wait(timeout=30)
    median = lambda xs: sorted(xs)[len(xs) // 2]
    for what, c, s in (("producer (%d x %d B, acks=all, linger.ms=5, idempotent)" % (a.messages, a.size), c_prod, s_prod),
                       ("consumer (%d records, assign, 6 partitions)" % a.consume_messages, c_cons, s_cons)):
        print("%s, %d runs:" % (what, a.runs))
        print("  C reference : best %9.0f  median %9.0f msg/s   runs %s" % (max(c), median(c), " ".join("%.0f" % x for x in c)))
        print("  kafka-bdd   : best %9.0f  median %9.0f msg/s   runs %s" % (max(s), median(s), " ".join("%.0f" % x for x in s)))
        print("  ratio       : best %.2f  median %.2f  paired (median of run-by-run ratios) %.2f"
              % (max(s) / max(c), median(s) / median(c), median([b / a for a, b in zip(c, s)])))

if __name__ == "__main__":
    main()
