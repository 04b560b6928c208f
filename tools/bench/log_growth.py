#!/usr/bin/env python3
"""Log growth: how many bytes the event log gains per 1,000 leads, through the real binaries.

  1. `tools/fake_amocrm.py` stands in for AmoCRM (with its 7 requests/s limit); `leadledger serve` and
     `leadledger react` run over a fresh log (tools/chaos/cluster.py starts them).
  2. Phase "delivered": LEADS realistic leads (Cyrillic name, phone, email, a 120-character comment, page URL, five
     UTM values) are posted and delivered first time: LeadReceived + SyncAttempted + SyncSucceeded each.
  3. Phase "outage": the CRM answers 500 for OUTAGE_S seconds while LEADS more leads arrive; with retries every 2 s
     each of them fails several times (SyncAttempted + SyncFailed per try) before it is delivered.
  4. After each phase both processes stop, the WAL is checkpointed, and the files are measured.

Usage: tools/bench/log_growth.py [BIN_DIR]   (default .build/release; LEADS=2000 OUTAGE_S=12)
"""
import json
import os
import shutil
import sqlite3
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "chaos"))
from cluster import Cluster  # noqa: E402  (the chaos scripts' system: fake AmoCRM, serve, react)

BIN = sys.argv[1] if len(sys.argv) > 1 else ".build/release"
LEADS = int(os.environ.get("LEADS", "2000"))
OUTAGE_S = int(os.environ.get("OUTAGE_S", "12"))


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
    cluster = Cluster(BIN, work, {"LEADLEDGER_AMOCRM_RETRY_S": "2", "LEADLEDGER_AMOCRM_BREAKER_FAILURES": "1000",
                                  "LEADLEDGER_DUPLICATE_WINDOW_S": "0"})
    db, crm = cluster.db, cluster.crm

    def phase(post: range | None = None, fault: dict | None = None) -> dict:
        cluster.start_serve()
        cluster.start_react()
        if fault:
            call(f"{crm}/_fake/mode", fault)
        if post is None:
            time.sleep(1)
        else:
            post_all(cluster.port, post)
            wait_created(crm, post.stop)
        cluster.stop()
        return measure(db)

    try:
        empty = phase()
        delivered = phase(range(LEADS))
        outage = phase(range(LEADS, 2 * LEADS), {"mode": "500", "seconds": OUTAGE_S})
    finally:
        cluster.close()

    def per_thousand(before: dict, after: dict, key: str) -> float:
        return (after[key] - before[key]) * 1000 / LEADS

    shutil.rmtree(work, ignore_errors=True)
    print(f"{LEADS} leads per phase")
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
