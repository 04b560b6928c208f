#!/usr/bin/env python3
"""Backlog-drain benchmark: how fast `leadledger react` empties a backlog into an AmoCRM that allows
7 requests/s, and how long a single lead takes from commit to CRM when the reactor is idle.

  1. `leadledger-bench pending` writes LEADS never-sent leads (default 10,000).
  2. `tools/fake_amocrm.py --rate-limit 7` stands in for AmoCRM (more than 7 calls in any second answer 429).
  3. `leadledger react` (batches of 50, paced at 7 calls/s) drains it; the ceiling is 7 x 50 = 350 leads/s.
     The drain time runs from starting `react` (its start-up and quiet first second included) to the fake's
     creation time of the last lead, so the once-a-second poll for the end adds nothing to it.
  4. With the backlog gone, `leadledger serve` takes IDLE_LEADS leads one at a time; each lead's commit-to-CRM time
     is the fake's creation time minus the time in the lead's UUIDv7 id (one machine, one clock).

Usage: tools/bench/backlog_drain.py [BIN_DIR]   (default .build/release; LEADS=10000 IDLE_LEADS=20)
Every generated lead has a comment, a page and an extra form field (`city`); what has no custom field goes into a
note, a second call after each create. FIELDS=comment=900001,page_url=900002 passes LEADLEDGER_AMOCRM_FIELDS to
`react` (the fake accepts any field id); with EXTRA_FIELDS=0 as well the leads have no extra field, nothing needs a
note, and a batch costs one call instead of two (ceiling 350 leads/s instead of 175).
UNLIMITED=1 runs the fake without its limit and `react` at 50 calls/s (the setting's maximum): what the reactor and
the fake manage together, to show how far above 7 calls/s the pacer works.
"""
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

BIN = sys.argv[1] if len(sys.argv) > 1 else ".build/release"
LEADS = int(os.environ.get("LEADS", "10000"))
IDLE_LEADS = int(os.environ.get("IDLE_LEADS", "20"))
FIELDS = os.environ.get("FIELDS", "")
EXTRA_FIELDS = os.environ.get("EXTRA_FIELDS", "1") != "0"
UNLIMITED = os.environ.get("UNLIMITED", "0") == "1"
FAKE_LIMIT, RATE = ("0", "50") if UNLIMITED else ("7", "7")
TOOLS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(TOOLS, "chaos"))
from cluster import wait_for_port  # noqa: E402


def get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=30) as reply:
        return json.load(reply)


def uuid7_ms(lead_id: str) -> int:
    return int(lead_id.replace("-", "")[:12], 16)


def main() -> None:
    work = tempfile.mkdtemp(prefix="leadledger-drain-")
    db = os.path.join(work, "ledger.sqlite")
    subprocess.run([f"{BIN}/leadledger-bench", "pending", "--db", db, "--leads", str(LEADS)]
                   + ([] if EXTRA_FIELDS else ["--no-extra-fields"]), check=True, stdout=subprocess.DEVNULL)
    fake = subprocess.Popen([sys.executable, os.path.join(TOOLS, "fake_amocrm.py"), "--port", "0", "--port-file",
                             os.path.join(work, "crm.port"), "--token", "bench", "--rate-limit", FAKE_LIMIT],
                            stdout=subprocess.DEVNULL)
    crm = f"http://127.0.0.1:{wait_for_port(os.path.join(work, 'crm.port'))}"
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("LEADLEDGER_")}, "LEADLEDGER_DB": db,
           "LEADLEDGER_AMOCRM_BASE_URL": crm, "LEADLEDGER_AMOCRM_TOKEN": "bench", "LEADLEDGER_AMOCRM_BATCH_SIZE": "50",
           "LEADLEDGER_AMOCRM_RATE_PER_S": RATE, "LEADLEDGER_HOST": "127.0.0.1", "LEADLEDGER_PORT": "0"}
    if FIELDS:
        env["LEADLEDGER_AMOCRM_FIELDS"] = FIELDS
    processes = [fake]
    try:
        started = time.monotonic()
        started_ms = time.time_ns() // 1_000_000
        react = subprocess.Popen([f"{BIN}/leadledger", "react"], env=env, stdout=subprocess.DEVNULL,
                                 stderr=open(os.path.join(work, "react.err"), "w"))
        processes.append(react)
        created = 0
        # The counters only: the full state serialises every lead and note under the lock that also stamps
        # arrivals, and polling it every second bunched the reactor's calls at the fake into one window.
        while created < LEADS and time.monotonic() - started < 600:
            time.sleep(1)
            created = get_json(f"{crm}/_fake/state?summary=1")["created_total"]
        drain = get_json(f"{crm}/_fake/state")
        drained = (max(lead["created_at_ms"] for lead in drain["leads"]) - started_ms) / 1000 if created else 0
        calls = [request for request in drain["requests"] if request["path"].startswith("/api/")]

        serve = subprocess.Popen([f"{BIN}/leadledger", "serve"], env=env, stdout=subprocess.PIPE,
                                 stderr=subprocess.DEVNULL, text=True)
        processes.append(serve)
        line = serve.stdout.readline()
        port = int(line.rsplit(":", 1)[1])
        delays = []
        for number in range(IDLE_LEADS):
            body = json.dumps({"name": "Idle", "phone": f"+7925{number:07d}"}).encode()
            request = urllib.request.Request(f"http://127.0.0.1:{port}/api/leads", body,
                                             {"Content-Type": "application/json"})
            with urllib.request.urlopen(request, timeout=10) as reply:
                lead_id = json.load(reply)["lead_id"]
            for _ in range(200):
                leads = [lead for lead in get_json(f"{crm}/_fake/state")["leads"][-5:] if lead["request_id"] == lead_id]
                if leads:
                    delays.append(leads[0]["created_at_ms"] - uuid7_ms(lead_id))
                    break
                time.sleep(0.05)
            time.sleep(0.3)
        delays.sort()
        final = get_json(f"{crm}/_fake/state")
    finally:
        for process in reversed(processes):
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)

    rate = created / drained if drained > 0 else 0
    notes = drain["notes"] if created else []
    ceiling = 350 if created and not notes else 175
    print(f"LEADLEDGER_AMOCRM_FIELDS: {FIELDS or '(unset: comment and page go into a note, a second call per batch)'}; "
          f"extra form field: {'yes' if EXTRA_FIELDS else 'no'}")
    print(f"Backlog drain: {created} of {LEADS} leads in {drained:.1f} s = {rate:.0f} leads/s "
          f"({rate / ceiling:.1%} of the {ceiling} leads/s that 7 requests/s allow with "
          f"{'two calls' if notes else 'one call'} per 50 leads)")
    if len(calls) > 7:
        creates = sum(1 for call in calls if call["path"].startswith("/api/v4/leads/complex"))
        arrivals = [call["t_ms"] for call in calls]
        cycle = (arrivals[-1] - arrivals[6]) / (len(arrivals) - 7) * 7
        print(f"AmoCRM calls during the drain: {creates} creates, {len(calls) - creates} others; the first arrived "
              f"{(arrivals[0] - started_ms) / 1000:.2f} s after react started; then 7 calls per {cycle:.0f} ms")
    print(f"429 answers from the rate-limited fake: {final['rate_limited_total']} (goal 0); "
          f"busiest second: {final['max_requests_in_any_1s_window']} calls; duplicates: {len(final['duplicates'])}")
    if delays:
        p50 = delays[len(delays) // 2]
        print(f"Idle commit-to-CRM over {len(delays)} leads: p50 {p50} ms, max {delays[-1]} ms (goal p50 < 1000 ms)")
    ok = created == LEADS and not final["duplicates"] and len(delays) == IDLE_LEADS
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
