#!/usr/bin/env python3
"""HTTP ingest on PostgreSQL beside SQLite, and pgbench as PostgreSQL's own ceiling, in one run on this machine.

  1. `tools/pg/cluster.py start` makes a throwaway cluster on 127.0.0.1 (fsync=on, synchronous_commit=on).
  2. For each backend (SQLite file, PostgreSQL database), a fresh `leadledger serve`:
     - wrk, THREADS threads, CONNECTIONS connections (32), DURATION seconds (15), the lead body of lead.lua:
       requests/s and latency percentiles (closed loop);
     - then, on a second fresh `serve`, `leadledger-bench load --rate RATE` (1,000 leads/s) for LOAD_SECONDS (20):
       p50/p99/p99.9 in open loop, each request's latency counted from when it was due.
     Every `201` is then looked for in the log (`leadledger status`), and `verify` must pass.
  3. pgbench, CONNECTIONS clients, one-row INSERT of a lead-sized event per transaction (tools/bench/pg_ingest.py's
     script): what one transaction per request costs on this server.
  4. ROUNDS rounds (default 2), alternating; medians at the end.

Usage: tools/bench/pg_http_ingest.py [BIN_DIR]   (default .build/release)
Settings: CONNECTIONS (32), THREADS (2), DURATION (15), RATE (1000), LOAD_SECONDS (20), ROUNDS (2).
"""
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

BIN = sys.argv[1] if len(sys.argv) > 1 else ".build/release"
CONNECTIONS = int(os.environ.get("CONNECTIONS", "32"))
THREADS = int(os.environ.get("THREADS", "2"))
DURATION = int(os.environ.get("DURATION", "15"))
RATE = int(os.environ.get("RATE", "1000"))
LOAD_SECONDS = int(os.environ.get("LOAD_SECONDS", "20"))
ROUNDS = int(os.environ.get("ROUNDS", "2"))
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CLUSTER = os.path.join(ROOT, "tools", "pg", "cluster.py")
sys.path.insert(0, HERE)
import pg_ingest  # noqa: E402  (the pgbench run and fresh databases, shared with the commit benchmark)


def serve(environment: dict, work: str, name: str) -> tuple[subprocess.Popen, int]:
    """A fresh `serve`; returns it and the port it listens on."""
    out = os.path.join(work, f"{name}.out")
    process = subprocess.Popen([os.path.join(BIN, "leadledger"), "serve"], env=environment, stdout=open(out, "w"),
                               stderr=open(os.path.join(work, f"{name}.err"), "w"))
    for _ in range(200):
        text = open(out).read()
        if "listening on http://127.0.0.1:" in text:
            return process, int(text.split("listening on http://127.0.0.1:")[1].split()[0].strip())
        if process.poll() is not None:
            sys.exit(f"serve exited: {open(os.path.join(work, f'{name}.err')).read()[-2000:]}")
        time.sleep(0.05)
    sys.exit("serve did not listen within 10 s")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    process.wait(timeout=60)


def received(environment: dict) -> int:
    status = subprocess.run([os.path.join(BIN, "leadledger"), "status"], env=environment, capture_output=True,
                            text=True, check=True)
    verify = subprocess.run([os.path.join(BIN, "leadledger"), "verify"], env=environment, capture_output=True,
                            text=True)
    if verify.returncode != 0:
        sys.exit(f"verify failed: {verify.stdout[-500:]} {verify.stderr[-500:]}")
    return json.loads(status.stdout)["received_total"]


def closed_loop(environment: dict, work: str, name: str) -> dict:
    process, port = serve(environment, work, name)
    output = subprocess.run(["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{DURATION}s", "--latency", "-s",
                             os.path.join(HERE, "lead.lua"), f"http://127.0.0.1:{port}"],
                            capture_output=True, text=True, check=True).stdout
    peak_kib = int(next(line.split()[1] for line in open(f"/proc/{process.pid}/status") if line.startswith("VmHWM")))
    stop(process)
    figures = json.loads(next(line for line in output.splitlines() if line.startswith("RESULT "))[len("RESULT "):])
    figures["peak_rss_mib"] = peak_kib / 1024
    figures["in_log"] = received(environment)
    return figures


def open_loop(environment: dict, work: str, name: str) -> dict:
    process, port = serve(environment, work, name)
    output = subprocess.run([os.path.join(BIN, "leadledger-bench"), "load", "--url",
                             f"http://127.0.0.1:{port}/api/leads", "--seconds", str(LOAD_SECONDS), "--rate", str(RATE),
                             "--every", str(LOAD_SECONDS), "--pid", str(process.pid)],
                            capture_output=True, text=True, check=True).stdout
    stop(process)
    total = json.loads(output.strip().splitlines()[-1])
    total["in_log"] = received(environment)
    return total


def main() -> None:
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (apt-get install wrk; make bench does it)")
    scratch = tempfile.mkdtemp(prefix="leadledger-pg-http-")
    os.chmod(scratch, 0o755)  # the cluster's owner (`postgres` when we are root) must reach its directory inside
    directory = os.path.join(scratch, "cluster")
    base = subprocess.run([sys.executable, CLUSTER, "start", "--dir", directory, "--owner-pid", str(os.getpid())],
                          check=True, capture_output=True, text=True).stdout.strip()
    common = {**{k: v for k, v in os.environ.items() if not k.startswith("LEADLEDGER_")},
              "LEADLEDGER_HOST": "127.0.0.1", "LEADLEDGER_PORT": "0",
              # wrk and the generator are one client at 127.0.0.1: the per-address limits would refuse them.
              "LEADLEDGER_RATE_LIMIT_PER_MIN": "0", "LEADLEDGER_MAX_CONNECTIONS_PER_IP": "100000"}
    results: dict[str, list[dict]] = {}
    failures = []

    def record(name: str, figures: dict, acknowledged: int) -> None:
        results.setdefault(name, []).append(figures)
        if figures["in_log"] < acknowledged:
            failures.append(f"{name}: {acknowledged} acknowledged, {figures['in_log']} in the log")

    try:
        for round_number in range(ROUNDS):
            for backend in ("sqlite", "postgres"):
                def environment(run: str) -> dict:
                    state = os.path.join(scratch, f"{backend}-{run}-{round_number}")
                    os.makedirs(state)
                    database = pg_ingest.database(base) if backend == "postgres" else os.path.join(state, "ledger.sqlite")
                    return {**common, "LEADLEDGER_DB": database, "LEADLEDGER_STATE_DIR": state}
                wrk = closed_loop(environment("wrk"), scratch, f"{backend}-wrk-{round_number}")
                record(f"{backend} wrk", wrk, wrk["created"])
                print(f"round {round_number + 1} {backend:8} wrk:  {wrk['rps']:7,.0f} req/s  p50 {wrk['p50_ms']:.2f}  "
                      f"p99 {wrk['p99_ms']:.2f} ms  201s {wrk['created']}  in the log {wrk['in_log']}  "
                      f"peak RSS {wrk['peak_rss_mib']:.1f} MiB", flush=True)
                load = open_loop(environment("load"), scratch, f"{backend}-load-{round_number}")
                record(f"{backend} {RATE}/s", load, load["acknowledged"])
                print(f"round {round_number + 1} {backend:8} {RATE}/s: p50 {load['p50_ms']:.2f}  p99 {load['p99_ms']:.2f}  "
                      f"p99.9 {load['p999_ms']:.2f} ms  acknowledged {load['acknowledged']}  refused {load['refused']}  "
                      f"failed {load['failed']}  overrun {load['overrun']}", flush=True)
            pgbench = pg_ingest.run_pgbench(base, scratch)
            results.setdefault("pgbench", []).append(pgbench)
            print(f"round {round_number + 1} pgbench one-row INSERT: {pgbench['per_second']:7,.0f} tx/s  "
                  f"p50 {pgbench['p50_us'] / 1000:.2f}  p99 {pgbench['p99_us'] / 1000:.2f} ms", flush=True)
    finally:
        subprocess.run([sys.executable, CLUSTER, "stop", "--dir", directory], check=False)
        shutil.rmtree(scratch, ignore_errors=True)

    def median(name: str, key: str) -> float:
        return statistics.median(r[key] for r in results[name])

    pgbench = median("pgbench", "per_second")
    print(f"\nmedians of {ROUNDS} rounds, {CONNECTIONS} connections:")
    print("| run | requests/s | p50 ms | p99 ms | p99.9 ms |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for backend in ("sqlite", "postgres"):
        print(f"| {backend}, wrk | {median(f'{backend} wrk', 'rps'):,.0f} | {median(f'{backend} wrk', 'p50_ms'):.2f} | "
              f"{median(f'{backend} wrk', 'p99_ms'):.2f} | |")
        print(f"| {backend}, open loop {RATE}/s | {median(f'{backend} {RATE}/s', 'rps'):,.0f} | "
              f"{median(f'{backend} {RATE}/s', 'p50_ms'):.2f} | {median(f'{backend} {RATE}/s', 'p99_ms'):.2f} | "
              f"{median(f'{backend} {RATE}/s', 'p999_ms'):.2f} |")
    print(f"| pgbench, one-row INSERT per transaction | {pgbench:,.0f} | {median('pgbench', 'p50_us') / 1000:.2f} | "
          f"{median('pgbench', 'p99_us') / 1000:.2f} | |")
    print(f"PostgreSQL ingest / pgbench = {median('postgres wrk', 'rps') / pgbench:.2f} (goal >= 1.0); "
          f"p99 at {RATE}/s on PostgreSQL {median(f'postgres {RATE}/s', 'p99_ms'):.2f} ms (goal <= 5 ms)")
    for failure in failures:
        print(f"FAIL: {failure}", file=sys.stderr)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
