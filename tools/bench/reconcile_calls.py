#!/usr/bin/env python3
"""Reconciliation benchmark: what a lost reply costs, in AmoCRM calls and in duplicates, under each search behaviour.

For each search behaviour of tools/fake_amocrm.py (exact, fuzzy, lagging, ignored, missing), on a fresh log:
  1. `leadledger-bench pending` writes LEADS never-sent leads (default 200);
  2. the fake AmoCRM (7 requests/s) switches to `lost-reply` for LOST_S seconds (default 4): every create call is
     stored but its reply is lost, and every other call is dropped, so every lead sent then is an unknown outcome;
  3. `leadledger react` (batches of 50, retries after 1, 2, 3 s, probes every 1 s) runs until the ledger holds
     every lead as synced or dead-lettered, or DRAIN_S seconds (default 120) have passed.
Then it counts, from the fake's request log and the ledger: the leads whose outcome was unknown (a `SyncFailed`
`unknown_outcome`), the reconciliation calls made after the fault (`GET /api/v4/leads` lists, `?query=` searches),
creates, duplicates and leads never delivered. Calls per reconciled lead = (lists + searches) / unknown leads.

The same script measures any build: BIN_DIR is the directory holding `leadledger` and `leadledger-bench`.

Usage: tools/bench/reconcile_calls.py [BIN_DIR] [--json FILE]   (default .build/release; LEADS, LOST_S, DRAIN_S)
"""
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time

TOOLS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(TOOLS, "chaos"))
from cluster import get_json, post_json, wait_for_port  # noqa: E402

LEADS = int(os.environ.get("LEADS", "200"))
LOST_S = float(os.environ.get("LOST_S", "4"))
DRAIN_S = float(os.environ.get("DRAIN_S", "120"))
BEHAVIOURS = ("exact", "fuzzy", "lagging", "ignored", "missing")
SETTINGS = {"LEADLEDGER_AMOCRM_BATCH_SIZE": "50", "LEADLEDGER_AMOCRM_RATE_PER_S": "7",
            "LEADLEDGER_AMOCRM_RETRY_S": "1,2,3", "LEADLEDGER_AMOCRM_PROBE_S": "1",
            "LEADLEDGER_AMOCRM_TIMEOUT_S": "3", "LEADLEDGER_AMOCRM_CONNECT_TIMEOUT_S": "1"}


def settled(db: str) -> int:
    """Leads the ledger holds as done: synced, or refused for good. The fake holding a lead is not enough: a lead
    whose reply was lost is in the fake long before the reactor knows it, and a resend may still follow."""
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as connection:
        return connection.execute(
            "SELECT count(DISTINCT stream) FROM event WHERE type = 'SyncSucceeded' OR (type = 'SyncFailed' "
            "AND json_extract(data, '$.retryable') = 0)").fetchone()[0]


def kind_of(request: dict) -> str:
    """The call's purpose from its method and target: a create, a list, a search, a probe or something else."""
    target = request["path"]
    if request["method"] == "POST" and target.startswith("/api/v4/leads/complex"):
        return "create"
    if request["method"] == "GET" and (target == "/api/v4/leads" or target.startswith("/api/v4/leads?")):
        return "search" if "query=" in target else "list"
    if target.startswith("/api/v4/account"):
        return "probe"
    return "other"


def run(binary_dir: str, search: str) -> dict:
    work = tempfile.mkdtemp(prefix=f"leadledger-reconcile-{search}-")
    db = os.path.join(work, "ledger.sqlite")
    subprocess.run([f"{binary_dir}/leadledger-bench", "pending", "--db", db, "--leads", str(LEADS)], check=True,
                   stdout=subprocess.DEVNULL)
    fake = subprocess.Popen([sys.executable, os.path.join(TOOLS, "fake_amocrm.py"), "--port", "0", "--port-file",
                             os.path.join(work, "crm.port"), "--token", "bench", "--rate-limit", "7"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    react = None
    try:
        crm = f"http://127.0.0.1:{wait_for_port(os.path.join(work, 'crm.port'))}"
        post_json(f"{crm}/_fake/behaviour", {"search": search})
        post_json(f"{crm}/_fake/mode", {"mode": "lost-reply", "seconds": LOST_S})
        env = {**{k: v for k, v in os.environ.items() if not k.startswith("LEADLEDGER_")}, **SETTINGS,
               "LEADLEDGER_DB": db, "LEADLEDGER_AMOCRM_BASE_URL": crm, "LEADLEDGER_AMOCRM_TOKEN": "bench"}
        react = subprocess.Popen([f"{binary_dir}/leadledger", "react"], env=env, stdout=subprocess.DEVNULL,
                                 stderr=open(os.path.join(work, "react.err"), "w"))
        started = time.monotonic()
        while time.monotonic() - started < LOST_S + DRAIN_S:
            if settled(db) >= LEADS:
                break
            time.sleep(1)
        drained_s = time.monotonic() - started
        react.terminate()
        react.wait(timeout=30)
        state = get_json(f"{crm}/_fake/state")
    finally:
        if react and react.poll() is None:
            react.kill()
        fake.terminate()
        fake.wait()
    fault_over_ms = None
    calls = {"create": 0, "list": 0, "search": 0, "probe": 0, "other": 0}
    calls_after = dict(calls)
    for request in state["requests"]:
        calls[kind_of(request)] += 1
        if request["mode"] != "lost-reply":
            fault_over_ms = fault_over_ms or request["t_ms"]
            calls_after[kind_of(request)] += 1
    with sqlite3.connect(db) as connection:
        unknown = connection.execute(
            "SELECT count(DISTINCT stream) FROM event WHERE type = 'SyncFailed' "
            "AND json_extract(data, '$.error_class') = 'unknown_outcome'").fetchone()[0]
        dead = connection.execute(
            "SELECT count(*) FROM event WHERE type = 'SyncFailed' AND json_extract(data, '$.retryable') = 0"
        ).fetchone()[0]
    delivered = {lead.get("request_id") for lead in state["leads"]}
    reconciling = calls_after["list"] + calls_after["search"]
    return {"search": search, "leads": LEADS, "unknown_leads": unknown, "calls": calls, "calls_after_fault": calls_after,
            "reconcile_calls_per_unknown_lead": round(reconciling / unknown, 3) if unknown else None,
            "duplicates": len(state["duplicates"]), "undelivered": LEADS - len(delivered - {None}),
            "dead_lettered": dead, "settled": settled(db), "drained_s": round(drained_s, 1), "work": work}


def main() -> None:
    arguments = sys.argv[1:]
    json_path = None
    if "--json" in arguments:
        index = arguments.index("--json")
        json_path = arguments[index + 1]
        del arguments[index:index + 2]
    binary_dir = arguments[0] if arguments else ".build/release"
    results = []
    for search in BEHAVIOURS:
        figures = run(binary_dir, search)
        results.append(figures)
        after = figures["calls_after_fault"]
        print(f"search {search:>8}: {figures['unknown_leads']} of {figures['leads']} leads unknown; after the fault "
              f"{after['list']} lists + {after['search']} searches = {figures['reconcile_calls_per_unknown_lead']} "
              f"calls per unknown lead, {after['create']} creates; duplicates {figures['duplicates']}, undelivered "
              f"{figures['undelivered']}, dead-lettered {figures['dead_lettered']}, settled {figures['settled']} in {figures['drained_s']} s",
              flush=True)
    if json_path:
        with open(json_path, "w") as output:
            json.dump(results, output, indent=2, ensure_ascii=False)


if __name__ == "__main__":
    main()
