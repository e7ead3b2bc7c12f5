#!/usr/bin/env python3
"""Diagnostics latency of `kafka-bdd lsp` on a 1,000-line feature file, as an editor sees it.

Starts the server (default .build/release/kafka-bdd), opens a file of 1,000 lines made of the steps of
Features/ (with a few undefined ones), then sends CHANGES full-text changes, each editing one step, and
times each from the change's last byte written to its publishDiagnostics read. Prints the numbers.
    scripts/bench/lsp.py [--bin PATH] [--changes N]
"""
import argparse, glob, json, os, re, subprocess, sys, time


def frame(obj):
    body = json.dumps(obj).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def read_message(stream):
    length = None
    while True:
        line = stream.readline()
        if not line:
            raise EOFError("the server closed its output")
        line = line.strip()
        if not line:
            break
        name, _, value = line.decode().partition(":")
        if name.lower() == "content-length":
            length = int(value)
    return json.loads(stream.read(length))


def document(root, lines=1000):
    steps = []
    for path in sorted(glob.glob(os.path.join(root, "Features", "*.feature"))):
        for line in open(path, encoding="utf-8"):
            if re.match(r"\s*(Given|When|Then|And|But) ", line) and "<" not in line:
                steps.append(line.strip())
    out = ["Feature: a thousand lines", ""]
    n = 0
    while len(out) < lines:
        out.append(f"  Scenario: s{len(out)}")
        for _ in range(9):
            out.append("    " + steps[n % len(steps)])
            n += 1
        if len(out) % 50 < 10:
            out.append("    Then something nobody defined")
    return out[:lines]


def main():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(root, ".build", "release", "kafka-bdd"))
    ap.add_argument("--changes", type=int, default=50)
    args = ap.parse_args()
    lines = document(root)
    server = subprocess.Popen([args.bin, "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=root)
    send = lambda obj: (server.stdin.write(frame(obj)), server.stdin.flush())
    uri = "file:///bench/thousand.feature"
    send({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}})
    read_message(server.stdout)
    send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
    started = time.perf_counter()
    send({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
        "uri": uri, "languageId": "gherkin", "version": 1, "text": "\n".join(lines) + "\n"}}})
    first = read_message(server.stdout)
    opened = (time.perf_counter() - started) * 1000
    count = len(first["params"]["diagnostics"])
    timings = []
    for i in range(args.changes):
        row = 3 + (i * 37) % (len(lines) - 3)
        if lines[row].startswith("    "):
            lines[row] = lines[row] + " " if i % 2 == 0 else lines[row].rstrip()
        started = time.perf_counter()
        send({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
            "textDocument": {"uri": uri, "version": i + 2}, "contentChanges": [{"text": "\n".join(lines) + "\n"}]}})
        message = read_message(server.stdout)
        assert message.get("method") == "textDocument/publishDiagnostics", message
        timings.append((time.perf_counter() - started) * 1000)
    send({"jsonrpc": "2.0", "id": 2, "method": "shutdown"})
    read_message(server.stdout)
    send({"jsonrpc": "2.0", "method": "exit"})
    server.wait(timeout=10)
    timings.sort()
    pick = lambda q: timings[min(len(timings) - 1, int(q * len(timings)))]
    print(f"kafka-bdd lsp, {len(lines)}-line file ({count} diagnostics), {args.bin}")
    print(f"  open (cold matches): {opened:.1f} ms")
    print(f"  {len(timings)} changes, change → diagnostics: p50 {pick(0.5):.1f} ms, p99 {pick(0.99):.1f} ms, "
          f"max {timings[-1]:.1f} ms")


if __name__ == "__main__":
    sys.exit(main())
