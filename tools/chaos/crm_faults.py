#!/usr/bin/env python3
"""CRM fault matrix: each failure AmoCRM shows in production, for a while, then recovery.

For every fault mode of tools/fake_amocrm.py, on a fresh log with the real `serve` and `react`:
  1. the fake switches to the mode for FAULT_S seconds (then back to normal by itself);
  2. LEADS leads are posted over HTTP during the fault (ingest must not notice it: every one answers 201);
  3. after the fault, the reactor must deliver every lead (bounded wait) and the alert rules must resolve every alert
     they raised.
Checks per mode: every lead created in the fake exactly once (none missing, no duplicate); never more than 7
requests in any second (the fake's own 1-second window) and no 429 from its rate limiter; the expected alert raised
(`crm_failures` for the modes that fail calls outright, `crm_stopped` for an account-wide refusal), no lead
dead-lettered for a fault that was not its own, and every alert resolved afterwards; `verify` passes and
conservation holds. Prints one line per mode with its recovery time, writes the figures as JSON (--json FILE).

Usage: tools/chaos/crm_faults.py [--bin .build/debug] [--profile ci|long] [--modes 500,hang] [--postgres] [--json FILE]
  ci:   6 s of fault, 30 leads per mode    long: 60 s of fault, 500 leads per mode
"""
import http.client
import json
import tempfile
import time

from cluster import Cluster, finish_matrix, get_json, parse_arguments, post_json, wait_delivered

PROFILES = {"ci": {"fault_s": 6, "leads": 30}, "long": {"fault_s": 60, "leads": 500}}
# Name, the fake's fault mode and its parameters, the fake's behaviour for the whole run (`/_fake/behaviour`), and
# the alert the fault must raise: `crm_failures` where calls fail outright, `crm_stopped` where the account refuses
# everything. The lost-reply and garbage rows repeat with a search that never finds a lead and one whose index lags
# the whole run: the reactor must reconcile from the created_at lists, never by resending what search missed.
MODES = [
    ("slow", "slow", {"delay_s": 2}, {}, None),
    ("500", "500", {}, {}, "crm_failures"),
    ("502-html", "502-html", {}, {}, "crm_failures"),
    ("429", "429", {}, {}, None),
    ("429-html", "429-html", {}, {}, None),
    ("hang", "hang", {}, {}, "crm_failures"),
    ("reset", "reset", {}, {}, "crm_failures"),
    ("lost-reply", "lost-reply", {}, {}, None),
    ("lost-reply/search-missing", "lost-reply", {}, {"search": "missing"}, None),
    ("garbage", "garbage", {}, {}, None),
    ("garbage/search-lagging", "garbage", {}, {"search": "lagging"}, None),
    ("400-244", "400-244", {}, {}, "crm_stopped"),
    ("mix", "mix", {"probability": 0.5, "seed": 7}, {}, None),
]
# A hang fails one call per AmoCRM timeout (3 s here): the ci profile's 6 s of fault fails two calls, and the streak
# can end milliseconds after the second one, before the alert rules look again. Its alert is checked where the fault
# lasts long enough to hold the streak over an evaluation.
ALERT_NEEDS_FAULT_S = {"hang": 20}
SETTINGS = {
    "LEADLEDGER_AMOCRM_TIMEOUT_S": "3", "LEADLEDGER_AMOCRM_CONNECT_TIMEOUT_S": "1",
    "LEADLEDGER_AMOCRM_RETRY_S": "1,2,3", "LEADLEDGER_AMOCRM_PROBE_S": "1", "LEADLEDGER_AMOCRM_BAN_PROBE_S": "2",
    "LEADLEDGER_ALERT_CHECK_S": "1", "LEADLEDGER_ALERT_CRM_FAILURES": "3",
}
DRAIN_LIMIT_S = 180


def post_lead(port: int, number: int, mode: str) -> int:
    body = json.dumps({"name": "Сбой Тестович", "phone": f"+7918{number:07d}", "form_id": f"fault-{mode}",
                       "utm_source": "chaos"}).encode()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("POST", "/api/leads", body, {"Content-Type": "application/json"})
        return connection.getresponse().status
    finally:
        connection.close()


def alerts(cluster: Cluster) -> tuple[list, set]:
    """Kinds of the raised alerts, and the ids of raised alerts still unresolved."""
    raised = [event["data"] for event in cluster.events("AlertRaised")]
    resolved = {event["data"]["resolves_alert_id"] for event in cluster.events("AlertResolved")}
    return [alert["kind"] for alert in raised], {alert["alert_id"] for alert in raised} - resolved


def run_mode(binary_dir: str, name: str, fault: str, params: dict, behaviour: dict, expected_alert: str | None,
             profile: dict, postgres: bool) -> dict:
    work = tempfile.mkdtemp(prefix=f"leadledger-fault-{name.replace('/', '-')}-")
    cluster = Cluster(binary_dir, work, SETTINGS, postgres=postgres)
    figures = {"mode": name, "work": work}
    failures = []
    mode = name.replace('/', '-')
    try:
        cluster.start_serve()
        cluster.start_react()
        if behaviour:
            post_json(f"{cluster.crm}/_fake/behaviour", behaviour)
        post_json(f"{cluster.crm}/_fake/mode", {"mode": fault, "seconds": profile["fault_s"], **params})
        fault_started = time.monotonic()
        statuses = {}
        for number in range(profile["leads"]):
            status = post_lead(cluster.port, number, mode)
            statuses[status] = statuses.get(status, 0) + 1
            time.sleep(profile["fault_s"] / 2 / profile["leads"])
        if statuses != {201: profile["leads"]}:
            failures.append(f"ingest answered {statuses} during the fault, not 201 for every lead")
        time.sleep(max(0.0, profile["fault_s"] - (time.monotonic() - fault_started)))
        fault_ended = time.monotonic()
        expected = cluster.lead_ids()
        created = wait_delivered(cluster.crm, expected, DRAIN_LIMIT_S, poll_s=0.5)
        figures["recovery_s"] = round(time.monotonic() - fault_ended, 1)
        open_alerts = set()
        kinds = []
        for _ in range(60):
            kinds, open_alerts = alerts(cluster)
            if not open_alerts:
                break
            time.sleep(0.5)
        codes = cluster.stop()
        state = get_json(f"{cluster.crm}/_fake/state")
        figures.update({"leads": len(expected), "created": state["created_total"],
                        "duplicates": len(state["duplicates"]), "missing": len(expected - created),
                        "busiest_second": state["max_requests_in_any_1s_window"],
                        "rate_limited_429": state["rate_limited_total"], "alerts_raised": sorted(set(kinds)),
                        "alerts_open_after": len(open_alerts)})
        if expected - created:
            failures.append(f"{len(expected - created)} leads not delivered within {DRAIN_LIMIT_S} s")
        if state["duplicates"]:
            failures.append(f"duplicates in the CRM: {state['duplicates']}")
        if created - expected:
            failures.append(f"the CRM has leads the log does not: {sorted(created - expected)[:5]}")
        if state["max_requests_in_any_1s_window"] > 7 or state["rate_limited_total"]:
            failures.append(f"rate over 7/s: busiest second {state['max_requests_in_any_1s_window']}, "
                            f"{state['rate_limited_total']} rate-limit 429s")
        if expected_alert and profile["fault_s"] >= ALERT_NEEDS_FAULT_S.get(fault, 0) and expected_alert not in kinds:
            failures.append(f"no {expected_alert} alert during the fault (raised: {sorted(set(kinds))})")
        dead = sum(1 for event in cluster.events("SyncFailed") if event["data"].get("retryable") is False)
        figures["dead_lettered"] = dead
        if dead:
            failures.append(f"{dead} leads dead-lettered for a fault that was not theirs")
        if open_alerts:
            failures.append(f"{len(open_alerts)} alerts still open after recovery (raised: {sorted(set(kinds))})")
        if any(code != 0 for code in codes):
            failures.append(f"a graceful stop exited with {codes}")
        verify = cluster.leadledger("verify")
        if verify.returncode != 0:
            failures.append(f"verify failed: {verify.stdout[-300:]}")
        status = cluster.leadledger("status")
        if status.returncode != 0:
            failures.append(f"status (conservation) failed: {status.stdout[-300:]} {status.stderr[-300:]}")
    finally:
        cluster.close()
    figures["failures"] = failures
    return figures


def main() -> None:
    arguments = parse_arguments(__doc__, PROFILES, ".build/debug", "ci", modes=True, postgres=True)
    chosen = set(arguments.modes.split(",")) if arguments.modes else None
    results = []
    for name, fault, params, behaviour, expected_alert in MODES:
        if chosen and name not in chosen:
            continue
        figures = run_mode(arguments.bin, name, fault, params, behaviour, expected_alert, PROFILES[arguments.profile],
                           arguments.postgres)
        results.append(figures)
        verdict = "ok" if not figures["failures"] else "FAIL: " + "; ".join(figures["failures"])
        print(f"{name:>25}: {figures.get('leads')} leads, delivered {figures.get('leads', 0) - figures.get('missing', 0)}"
              f" in {figures.get('recovery_s')} s after the fault, duplicates {figures.get('duplicates')}, busiest "
              f"second {figures.get('busiest_second')}, alerts {figures.get('alerts_raised')} (open after: "
              f"{figures.get('alerts_open_after')}) — {verdict}", flush=True)
    finish_matrix(arguments.profile, results, arguments.json)

if __name__ == "__main__":
    main()
