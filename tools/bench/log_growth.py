#!/usr/bin/env python3
"""Log growth (issue 6): how many bytes the event log gains per 1,000 leads, through the real binaries.

  1. `tools/fake_amocrm.py` stands in for AmoCRM; `leadledger serve` and `leadledger react` run over a fresh log.
  2. Phase "delivered": LEADS realistic leads (Cyrillic name, phone, email, a 120-character comment, page URL, five
     UTM values) are posted and delivered first time: LeadReceived + SyncAttempted + SyncSucceeded each.
  3. Phase "outage": the CRM answers 500 for OUTAGE_S seconds while LEADS more leads arrive; with retries every 2 s
     each of them fails several times (SyncAttempted + SyncFailed per try) before it is delivered.
  4. After each phase both processes stop, the WAL is checkpointed, and the files are measured.

Usage: tools/bench/log_growth.py [BIN_DIR]   (default .build/release; LEADS=2000 OUTAGE_S=12)
"""
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request

BIN = sys.argv[1] if len(sys.argv) > 1 else ".build/release"
LEADS = int(os.environ.get("LEADS", "2000"))
OUTAGE_S = int(os.environ.get("OUTAGE_S", "12"))
TOOLS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def wait_for_port(path: str) -> int:
    for _ in range(100):
        if os.path.exists(path) and open(path).read().strip():
            return int(open(path).read().strip())
        time.sleep(0.1)
    raise SystemExit(f"no port in {path}")


def call(url: str, body: dict | None = None) -> dict:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as reply:
        return json.load(reply)


def lead(number: int) -> dict:
    return {"name": f"Анна Петрова {number}", "phone": f"+7916{number:07d}", "email": f"anna{number}@example.ru",
            "comment": "Здравствуйте! Хочу узнать цену на доставку и сроки, перезвоните после 18:00, пожалуйста. "
                       f"Заявка {number}",
            "page_url": "https://landing.example.ru/offer?utm_source=yandex", "form_id": "main-form",
            "utm_source": "yandex", "utm_medium": "cpc", "utm_campaign": "winter-sale-2026",
            "utm_content": "banner-3", "utm_term": "доставка цена"}


def measure(db: str) -> dict:
    connection = sqlite3.connect(db)
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    counts = dict(connection.execute("SELECT type, count(*) FROM event GROUP BY type").fetchall())
    data_bytes = connection.execute("SELECT sum(length(data)) FROM event").fetchone()[0] or 0
    connection.close()
    sizes = {name: os.path.getsize(path) for name, path in
             [("log", db), ("read models", db + ".projections.sqlite")] if os.path.exists(path)}
    return {"counts": counts, "data_bytes": data_bytes, **sizes}


class System:
    def __init__(self, db: str, env: dict, work: str):
        self.db, self.env, self.work = db, env, work
        self.processes = []

    def start(self) -> int:
        serve = subprocess.Popen([f"{BIN}/leadledger", "serve"], env=self.env, stdout=subprocess.PIPE,
                                 stderr=subprocess.DEVNULL, text=True)
        port = int(serve.stdout.readline().rsplit(":", 1)[1])
        react = subprocess.Popen([f"{BIN}/leadledger", "react"], env=self.env, stdout=subprocess.DEVNULL,
                                 stderr=open(os.path.join(self.work, "react.err"), "a"))
        self.processes = [serve, react]
        return port

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=60)
        self.processes = []


def post_all(port: int, numbers: range) -> None:
    for number in numbers:
        call(f"http://127.0.0.1:{port}/api/leads", lead(number))


def wait_created(crm: str, total: int, limit_s: int = 600) -> None:
    started = time.monotonic()
    while call(f"{crm}/_fake/state")["created_total"] < total:
        if time.monotonic() - started > limit_s:
            raise SystemExit(f"the CRM did not get {total} leads in {limit_s} s")
        time.sleep(0.5)


def main() -> None:
    work = tempfile.mkdtemp(prefix="leadledger-growth-")
    db = os.path.join(work, "ledger.sqlite")
    fake = subprocess.Popen([sys.executable, os.path.join(TOOLS, "fake_amocrm.py"), "--port", "0", "--port-file",
                             os.path.join(work, "crm.port"), "--token", "bench"], stdout=subprocess.DEVNULL)
    crm = f"http://127.0.0.1:{wait_for_port(os.path.join(work, 'crm.port'))}"
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("LEADLEDGER_")}, "LEADLEDGER_DB": db,
           "LEADLEDGER_AMOCRM_BASE_URL": crm, "LEADLEDGER_AMOCRM_TOKEN": "bench", "LEADLEDGER_AMOCRM_RETRY_S": "2",
           "LEADLEDGER_AMOCRM_BREAKER_FAILURES": "1000", "LEADLEDGER_HOST": "127.0.0.1", "LEADLEDGER_PORT": "0",
           "LEADLEDGER_RATE_LIMIT_PER_MIN": "0", "LEADLEDGER_DUPLICATE_WINDOW_S": "0"}
    system = System(db, env, work)
    try:
        port = system.start()
        time.sleep(1)
        system.stop()
        empty = measure(db)

        port = system.start()
        post_all(port, range(LEADS))
        wait_created(crm, LEADS)
        system.stop()
        delivered = measure(db)

        port = system.start()
        call(f"{crm}/_fake/mode", {"mode": "500", "seconds": OUTAGE_S})
        post_all(port, range(LEADS, 2 * LEADS))
        wait_created(crm, 2 * LEADS)
        system.stop()
        outage = measure(db)
    finally:
        system.stop()
        fake.send_signal(signal.SIGTERM)
        fake.wait(timeout=10)

    def per_thousand(before: dict, after: dict, key: str) -> float:
        return (after[key] - before[key]) * 1000 / LEADS

    print(f"{LEADS} leads per phase, log in {work}")
    for name, before, after in [("delivered first time", empty, delivered), (f"through a {OUTAGE_S} s outage", delivered,
                                                                              outage)]:
        events = {k: after["counts"].get(k, 0) - before["counts"].get(k, 0) for k in after["counts"]}
        per_lead = sum(events.values()) / LEADS
        print(f"- {name}: {per_lead:.1f} events per lead {json.dumps(events, ensure_ascii=False)}; "
              f"log +{per_thousand(before, after, 'log') / 1024:.0f} KiB per 1,000 leads "
              f"(event JSON {per_thousand(before, after, 'data_bytes') / 1024:.0f} KiB of it), "
              f"read models +{per_thousand(before, after, 'read models') / 1024:.0f} KiB per 1,000 leads")
    print(f"totals: log {outage['log'] / 1048576:.1f} MiB, read models {outage['read models'] / 1048576:.1f} MiB "
          f"for {2 * LEADS} leads")


if __name__ == "__main__":
    main()
