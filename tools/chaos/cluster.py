"""The system under chaos: the fake AmoCRM (with AmoCRM's 7 requests/s limit), `leadledger serve` on a fixed port and
`leadledger react`, over one log in a temporary directory, all on 127.0.0.1. Shared by the chaos scripts.

With --postgres the log is a throwaway PostgreSQL cluster (tools/pg/cluster.py, stopped and removed with the run)
and this host's files go to the temporary directory (LEADLEDGER_STATE_DIR); the checks read the log through
`leadledger events`, so they are the same on both backends.
"""
import argparse
import json
import math
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.request

TOOLS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(path: str) -> int:
    """The port a fake wrote to its --port-file, once it is there (10 s at most)."""
    for _ in range(100):
        if os.path.exists(path) and open(path).read().strip():
            return int(open(path).read().strip())
        time.sleep(0.1)
    raise SystemExit(f"no port in {path}")


def get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=30) as reply:
        return json.load(reply)


def post_json(url: str, body: dict) -> dict:
    request = urllib.request.Request(url, json.dumps(body).encode(), {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as reply:
        return json.load(reply)


class Cluster:
    """The fake CRM, `serve` on a fixed port and `react`, over one log in a temporary directory."""

    def __init__(self, binary_dir: str, work: str, settings: dict | None = None, postgres: bool = False):
        self.binary_dir, self.work = binary_dir, work
        self.postgres = os.path.join(work, "postgres") if postgres else None
        if postgres:
            os.chmod(work, 0o755)  # the cluster runs as `postgres` when we are root: it must reach its directory
        self.db = start_postgres(self.postgres) if self.postgres else os.path.join(work, "ledger.sqlite")
        self.port = free_port()
        port_file = os.path.join(work, "crm.port")
        self.fake = subprocess.Popen([sys.executable, os.path.join(TOOLS, "fake_amocrm.py"), "--port", "0",
                                      "--port-file", port_file, "--token", "chaos", "--rate-limit", "7"],
                                     stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "crm.err"), "w"))
        for _ in range(100):
            if os.path.exists(port_file) and open(port_file).read().strip():
                break
            time.sleep(0.1)
        self.crm = f"http://127.0.0.1:{open(port_file).read().strip()}"
        self.env = {**{k: v for k, v in os.environ.items() if not k.startswith("LEADLEDGER_")},
                    "LEADLEDGER_DB": self.db, "LEADLEDGER_STATE_DIR": work,
                    "LEADLEDGER_HOST": "127.0.0.1", "LEADLEDGER_PORT": str(self.port),
                    "LEADLEDGER_AMOCRM_BASE_URL": self.crm, "LEADLEDGER_AMOCRM_TOKEN": "chaos",
                    # A killed reactor's in-flight batch is reconciled by search; retries come quickly here.
                    "LEADLEDGER_AMOCRM_RETRY_S": "1,2,3",
                    # The crash-loop rule would fire (and that is right), but it is not what this test measures.
                    "LEADLEDGER_ALERT_CRASH_LOOP_RESTARTS": "100",
                    "LEADLEDGER_ALERT_DISK_FREE_MB": "1", "LEADLEDGER_ALERT_MEMORY_PERCENT": "99",
                    # Every client here is 127.0.0.1: the per-address limits would take the whole load for one
                    # visitor (front_door.py tests them).
                    "LEADLEDGER_RATE_LIMIT_PER_MIN": "0", "LEADLEDGER_MAX_CONNECTIONS_PER_IP": "100000",
                    **(settings or {})}
        self.serve = None
        self.react = None
        self.lock = threading.Lock()

    def start_serve(self) -> None:
        out = os.path.join(self.work, "serve.out")
        self.serve = subprocess.Popen([f"{self.binary_dir}/leadledger", "serve"], env=self.env,
                                      stdout=open(out, "w"), stderr=open(os.path.join(self.work, "serve.err"), "a"))
        for _ in range(400):
            if "listening on" in open(out).read():
                return
            if self.serve.poll() is not None:
                raise SystemExit(f"serve exited with {self.serve.returncode}: see {self.work}/serve.err")
            time.sleep(0.025)
        raise SystemExit("serve did not listen within 10 s")

    def start_react(self) -> None:
        self.react = subprocess.Popen([f"{self.binary_dir}/leadledger", "react"], env=self.env,
                                      stdout=subprocess.DEVNULL, stderr=open(os.path.join(self.work, "react.err"), "a"))

    def kill(self, which: str) -> None:
        process = self.serve if which == "serve" else self.react
        process.send_signal(signal.SIGKILL)
        process.wait()

    def stop(self) -> list:
        codes = []
        for process in (self.react, self.serve):
            if process and process.poll() is None:
                process.send_signal(signal.SIGTERM)
                codes.append(process.wait(timeout=60))
        return codes

    def close(self) -> None:
        self.stop()
        self.fake.send_signal(signal.SIGTERM)
        self.fake.wait(timeout=10)
        if self.postgres:
            subprocess.run([sys.executable, PG_CLUSTER, "stop", "--dir", self.postgres], check=False,
                           stdout=subprocess.DEVNULL)

    def restart_postgres(self) -> None:
        """`pg_ctl restart -m immediate`: the server crashes and recovers from its WAL."""
        subprocess.run([sys.executable, PG_CLUSTER, "restart", "--dir", self.postgres], check=True,
                       stdout=subprocess.DEVNULL)

    def leadledger(self, *arguments: str) -> subprocess.CompletedProcess:
        return subprocess.run([f"{self.binary_dir}/leadledger", *arguments], env=self.env, capture_output=True,
                              text=True, timeout=300)

    def events(self, event_type: str) -> list:
        """Every event of `event_type` in the log, oldest first, as `leadledger events` prints them."""
        result = self.leadledger("events", "--type", event_type)
        if result.returncode != 0:
            raise SystemExit(f"leadledger events failed: {result.stderr[-500:]}")
        return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]

    def lead_ids(self) -> set:
        return {event["stream"] for event in self.events("LeadReceived")}


PG_CLUSTER = os.path.join(TOOLS, "pg", "cluster.py")


def start_postgres(directory: str) -> str:
    """A throwaway cluster in `directory`, stopped by its watchdog if this script dies first; returns its URL."""
    started = subprocess.run([sys.executable, PG_CLUSTER, "start", "--dir", directory, "--owner-pid", str(os.getpid())],
                             check=True, capture_output=True, text=True)
    return started.stdout.strip().splitlines()[-1]


def read_log(db: str, sql: str) -> list:
    """Rows of a read-only query on the log (the processes may still be writing it)."""
    log = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return log.execute(sql).fetchall()
    finally:
        log.close()


def lead_ids(db: str) -> set:
    return {row[0] for row in read_log(db, "SELECT json_extract(data, '$.lead_id') FROM event "
                                           "WHERE type = 'LeadReceived'")}


def wait_delivered(crm: str, expected: set, limit_s: float, poll_s: float) -> set:
    """Poll the fake CRM until every expected lead id is there or `limit_s` passes; the request ids it holds.

    Polls only the fake's counters: its full state lists every lead, and building it every second starved the fake
    of the interpreter lock, so calls it should have counted as they came were counted in bursts (the long kill
    storm's 429s). The full list is fetched only when the counters say enough leads have arrived.
    """
    started = time.monotonic()
    created: set = set()
    while True:
        if get_json(f"{crm}/_fake/state?summary=1")["request_ids_total"] >= len(expected):
            created = {lead["request_id"] for lead in get_json(f"{crm}/_fake/state")["leads"]}
            if expected <= created:
                return created
        if time.monotonic() - started >= limit_s:
            return created or {lead["request_id"] for lead in get_json(f"{crm}/_fake/state")["leads"]}
        time.sleep(poll_s)


def percentile(values: list, fraction: float) -> float | None:
    """The nearest-rank percentile of `values` (`fraction` 0.99 for p99), to 0.1; None when there are none."""
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[max(0, math.ceil(fraction * len(ordered)) - 1)], 1)


def parse_arguments(doc: str, profiles: dict, default_bin: str, default_profile: str, modes: bool = False,
                    seed: bool = False, postgres: bool = False) -> argparse.Namespace:
    """The chaos scripts' common options: --bin, --profile, --json, and --modes, --seed or --postgres where they
    apply."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", default=default_bin)
    parser.add_argument("--profile", choices=sorted(profiles), default=default_profile)
    parser.add_argument("--json", help="write the figures here")
    if postgres:
        parser.add_argument("--postgres", action="store_true",
                            help="keep the log in a throwaway PostgreSQL (tools/pg/cluster.py) instead of a SQLite file")
    if modes:
        parser.add_argument("--modes", help="comma-separated subset of the modes")
    if seed:
        parser.add_argument("--seed", type=int, default=int(time.time()))
    return parser.parse_args()


def finish(figures: dict, failures: list, work: str, json_path: str | None) -> None:
    """Writes the figures, says each failure, removes the working directory of a passing run (a failing one is kept
    to look at), and exits 0 only when nothing failed."""
    figures["failures"] = failures
    if json_path:
        with open(json_path, "w") as output:
            json.dump(figures, output, indent=2)
    for failure in failures:
        print(f"FAIL: {failure}", file=sys.stderr)
    if not failures:
        shutil.rmtree(work, ignore_errors=True)
    sys.exit(1 if failures else 0)


def finish_matrix(profile: str, results: list, json_path: str | None) -> None:
    """The same for a run of several modes, each with its own figures, failures and working directory."""
    if json_path:
        with open(json_path, "w") as output:
            json.dump({"profile": profile, "modes": results}, output, indent=2)
    for figures in results:
        if not figures["failures"]:
            shutil.rmtree(figures["work"], ignore_errors=True)
    sys.exit(1 if any(figures["failures"] for figures in results) else 0)
