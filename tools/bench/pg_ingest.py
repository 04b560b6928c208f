#!/usr/bin/env python3
"""PostgreSQL commit benchmark: the ledger's group commit on PostgreSQL against pgbench's one-row INSERT per
transaction, at the same number of clients, on the same throwaway cluster, alternating.

  1. `tools/pg/cluster.py start` makes a cluster on 127.0.0.1 (fsync=on, synchronous_commit=on).
  2. pgbench, CLIENTS clients (default 32), 2 threads, prepared statements, SECONDS (default 6): each transaction
     inserts one row about the size of a lead event (~700 bytes of JSON, a 64-hex hash) into an indexed table.
     That is what a naive server pays per acknowledged request on PostgreSQL: one transaction, one WAL flush.
  3. `leadledger-bench pg-commit`, the same clients in a closed loop through `PostgresGroupCommitter`: each lead
     sealed, fingerprinted, checked for its idempotency key and double submission, chained and committed with its
     key row. Receipts only after COMMIT.
  4. ROUNDS rounds (default 2), each on fresh databases; prints a line per run and the medians.

Usage: tools/bench/pg_ingest.py [BIN_DIR]   (default .build/release; CLIENTS=32 BENCH_SECONDS=6 ROUNDS=2)
No HTTP in front of either: this measures what PostgreSQL and the ledger's storage path cost per lead.
"""
import json
import os
import statistics
import subprocess
import sys
import tempfile
import urllib.parse
import uuid

BIN = sys.argv[1] if len(sys.argv) > 1 else ".build/release"
CLIENTS = int(os.environ.get("CLIENTS", "32"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "6"))
ROUNDS = int(os.environ.get("ROUNDS", "2"))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CLUSTER = os.path.join(ROOT, "tools", "pg", "cluster.py")
sys.path.insert(0, os.path.join(ROOT, "tools", "pg"))
import cluster  # noqa: E402  (bin_dir: where Debian keeps pgbench)

PAYLOAD = json.dumps({
    "lead_id": "01a1ee56-a8a9-7878-93aa-54953596bd9f", "received_at": 1795000000000, "origin": "http",
    "form_id": "main", "utm": {"source": "bench"},
    "personal": {"algorithm": "AES-256-GCM", "box": "x" * 520},
}, separators=(",", ":"))

PGBENCH_SCRIPT = f"""\\set n random(1, 2000000000)
INSERT INTO bench_event (stream, type, data, recorded_at, hash)
VALUES (:n, 'LeadReceived', '{PAYLOAD}', 1795000000000, md5(:n::text) || md5((:n + 1)::text));
"""


def psql(url: str, sql: str) -> None:
    subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-qAt", "-c", sql], check=True, stdout=subprocess.DEVNULL)


def database(base: str) -> str:
    name = "bench_" + uuid.uuid4().hex
    psql(base, f"CREATE DATABASE {name}")
    parts = urllib.parse.urlsplit(base)
    return urllib.parse.urlunsplit(parts._replace(path="/" + name))


def percentile(values: list[int], fraction: float) -> int:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, int(fraction * len(ordered) + 0.999999) - 1))]


def run_pgbench(base: str, scratch: str) -> dict:
    url = database(base)
    psql(url, "CREATE TABLE bench_event (seq bigserial PRIMARY KEY, stream text NOT NULL, type text NOT NULL, "
              "data text NOT NULL, recorded_at bigint NOT NULL, hash text NOT NULL)")
    script = os.path.join(scratch, "insert.sql")
    with open(script, "w") as handle:
        handle.write(PGBENCH_SCRIPT)
    parts = urllib.parse.urlsplit(url)
    logs = os.path.join(scratch, "pgbench-" + uuid.uuid4().hex)
    os.makedirs(logs)
    environment = dict(os.environ, PGPASSWORD=urllib.parse.unquote(parts.password or ""))
    output = subprocess.run(
        [os.path.join(cluster.bin_dir(), "pgbench"), "-h", parts.hostname, "-p", str(parts.port), "-U", parts.username,
         "-n", "-M", "prepared", "-c", str(CLIENTS), "-j", "2", "-T", str(SECONDS), "-f", script,
         "--log", "--log-prefix", os.path.join(logs, "tx"), parts.path.lstrip("/")],
        check=True, capture_output=True, text=True, env=environment).stdout
    tps = next(float(line.split("=")[1].split()[0]) for line in output.splitlines() if line.startswith("tps ="))
    latencies: list[int] = []
    for name in os.listdir(logs):
        with open(os.path.join(logs, name)) as handle:
            latencies += [int(line.split()[2]) for line in handle if line.strip()]
    return {"per_second": tps, "p50_us": percentile(latencies, 0.5), "p99_us": percentile(latencies, 0.99)}


def run_ledger(base: str) -> dict:
    url = database(base)
    output = subprocess.run(
        [os.path.join(BIN, "leadledger-bench"), "pg-commit", "--url", url, "--clients", str(CLIENTS),
         "--seconds", str(SECONDS)], check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    scratch = tempfile.mkdtemp(prefix="leadledger-pg-bench-")
    os.chmod(scratch, 0o755)  # the cluster's owner (`postgres` when we are root) must reach its directory inside
    directory = os.path.join(scratch, "cluster")
    base = subprocess.run(["python3", CLUSTER, "start", "--dir", directory, "--owner-pid", str(os.getpid())],
                          check=True, capture_output=True, text=True).stdout.strip()
    results: dict[str, list[dict]] = {"pgbench": [], "ledger": []}
    try:
        for round_number in range(ROUNDS):
            for name, run in (("pgbench", lambda: run_pgbench(base, scratch)), ("ledger", lambda: run_ledger(base))):
                figures = run()
                results[name].append(figures)
                print(f"round {round_number + 1} {name:8}: {figures['per_second']:9,.0f}/s  "
                      f"p50 {figures['p50_us'] / 1000:6.2f} ms  p99 {figures['p99_us'] / 1000:6.2f} ms"
                      + (f"  largest batch {figures['largest_batch']}" if name == "ledger" else ""), flush=True)
    finally:
        subprocess.run(["python3", CLUSTER, "stop", "--dir", directory], check=False)
    pgbench = statistics.median(r["per_second"] for r in results["pgbench"])
    ledger = statistics.median(r["per_second"] for r in results["ledger"])
    print(f"median: pgbench one-row INSERT {pgbench:,.0f} tx/s, ledger group commit {ledger:,.0f} leads/s "
          f"({ledger / pgbench:.2f}x), {CLIENTS} clients, {SECONDS} s each")


if __name__ == "__main__":
    main()
