#!/usr/bin/env python3
"""Kill storm: no acknowledged lead is lost and none is duplicated in the CRM while `serve` and `react` are
SIGKILLed and restarted at random.

Against the real binaries and tools/fake_amocrm.py (with AmoCRM's 7 requests/s limit), all on 127.0.0.1:
  1. CLIENTS threads post realistic leads, each with its own Idempotency-Key, retrying the same request with the same
     key after any connection error, timeout or 5xx until it is acknowledged (201, or 200 for a replay), as a
     careful form backend would.
  2. Meanwhile a chaos thread SIGKILLs `serve` or `react` (or both) every KILL_MIN..KILL_MAX seconds and starts them
     again at once (`serve` on the same port).
  3. Then the processes run undisturbed until the CRM has every lead of the log (bounded wait), and stop.
Checks: every acknowledged lead is a LeadReceived in the log; a replay answered the same lead id; `leadledger verify`
passes; `leadledger status` reports conservation; every lead of the log was created in the fake CRM exactly once
(none missing, no duplicate); the CRM never answered 429 (7 requests/s held across restarts); no answer other than 200/201/503 and connection errors. Prints the figures and writes
them as JSON (--json FILE). Exit 0 only when every check passes.

With --postgres the log is in a throwaway PostgreSQL, and the chaos thread's victims include the database server
itself: `pg_ctl restart -m immediate` (a crash and WAL recovery) while both processes keep running and must
reconnect by themselves.

Usage: tools/chaos/kill_storm.py [--bin .build/debug] [--profile ci|long] [--seed N] [--postgres] [--json FILE]
  ci:   20 s of storm, 8 clients,  kills every 1-4 s   (make test)
  long: 10 min of storm, 16 clients, kills every 0.5-5 s (make chaos PROFILE=long)
"""
import http.client
import json
import random
import tempfile
import threading
import time

from cluster import Cluster, finish, get_json, parse_arguments, wait_delivered
# The long profile posts about as fast as AmoCRM's 7 requests/s drains (~140 leads/s), so the storm tests kills and
# restarts for ten minutes rather than building a backlog that takes an hour to drain.
PROFILES = {
    "ci": {"storm_s": 20, "clients": 8, "kill_min": 1.0, "kill_max": 4.0, "pause_s": 0.05, "drain_limit_s": 300},
    "long": {"storm_s": 600, "clients": 16, "kill_min": 0.5, "kill_max": 5.0, "pause_s": 0.15, "drain_limit_s": 1200},
}


class Client(threading.Thread):
    """Posts leads until told to stop; each one is retried with its key until acknowledged."""

    def __init__(self, number: int, port: int, stop: threading.Event, pause_s: float, seed: int):
        super().__init__(daemon=True)
        self.number, self.port, self.stop_event, self.pause_s = number, port, stop, pause_s
        self.random = random.Random(seed)
        self.acknowledged = {}  # idempotency key -> lead id
        self.replays_disagreeing = []
        self.retries = 0
        self.unexpected = []
        self.status_counts = {}

    def post(self, key: str, body: bytes):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
        try:
            connection.request("POST", "/api/leads", body, {"Content-Type": "application/json", "Idempotency-Key": key})
            reply = connection.getresponse()
            return reply.status, reply.read()
        finally:
            connection.close()

    def run(self) -> None:
        sequence = 0
        while not self.stop_event.is_set():
            sequence += 1
            key = f"storm-{self.number}-{sequence}"
            body = json.dumps({"name": "Хаос Тестович", "phone": f"+7917{self.number:03d}{sequence:04d}",
                               "email": f"c{self.number}-{sequence}@example.ru", "form_id": "storm",
                               "utm_source": "chaos", "comment": "проверка"}).encode()
            answers = []
            while True:
                try:
                    status, payload = self.post(key, body)
                except (OSError, http.client.HTTPException):
                    status, payload = None, b""
                self.status_counts[status] = self.status_counts.get(status, 0) + 1
                if status in (200, 201):
                    lead_id = json.loads(payload)["lead_id"]
                    answers.append(lead_id)
                    break
                if status is not None and status != 503:
                    self.unexpected.append((key, status, payload[:200].decode("utf-8", "replace")))
                    break
                self.retries += 1
                time.sleep(0.05 + self.random.random() * 0.1)
            if answers:
                self.acknowledged[key] = answers[-1]
            if self.pause_s:
                time.sleep(self.pause_s)


def main() -> None:
    arguments = parse_arguments(__doc__, PROFILES, ".build/debug", "ci", seed=True, postgres=True)
    profile = PROFILES[arguments.profile]
    chaos = random.Random(arguments.seed)
    work = tempfile.mkdtemp(prefix="leadledger-storm-")
    cluster = Cluster(arguments.bin, work, postgres=arguments.postgres)
    figures = {"profile": arguments.profile, "seed": arguments.seed, "work": work,
               "backend": "postgres" if arguments.postgres else "sqlite"}
    failures = []
    try:
        cluster.start_serve()
        cluster.start_react()
        stop = threading.Event()
        clients = [Client(n, cluster.port, stop, profile["pause_s"], arguments.seed + n) for n in range(profile["clients"])]
        for client in clients:
            client.start()
        kills = {"serve": 0, "react": 0, **({"postgres": 0} if arguments.postgres else {})}
        choices = [["serve"], ["react"], ["serve", "react"]] + ([["postgres"]] if arguments.postgres else [])
        serve_recovery = []
        started = time.monotonic()
        while time.monotonic() - started < profile["storm_s"]:
            time.sleep(chaos.uniform(profile["kill_min"], profile["kill_max"]))
            victims = chaos.choice(choices)
            killed_at = time.monotonic()
            for victim in victims:
                if victim == "postgres":
                    cluster.restart_postgres()
                else:
                    cluster.kill(victim)
                kills[victim] += 1
            for victim in victims:
                if victim == "postgres":
                    continue
                if victim == "serve":
                    cluster.start_serve()
                    serve_recovery.append(time.monotonic() - killed_at)
                else:
                    cluster.start_react()
        stop.set()
        for client in clients:
            client.join(timeout=60)
        acknowledged = {}
        for client in clients:
            acknowledged.update(client.acknowledged)
        figures.update({"kills": kills, "acknowledged": len(acknowledged),
                        "serve_back_listening_max_s": round(max(serve_recovery, default=0), 2),
                        "client_retries": sum(c.retries for c in clients), "storm_s": profile["storm_s"],
                        "clients": profile["clients"]})
        unexpected = [u for c in clients for u in c.unexpected]
        if unexpected:
            failures.append(f"{len(unexpected)} unexpected answers, e.g. {unexpected[:3]}")

        # Undisturbed: the reactor drains what the storm left.
        # The clients have stopped, so the log's leads are fixed now.
        drain_started = time.monotonic()
        in_log = cluster.lead_ids()
        created = wait_delivered(cluster.crm, in_log, profile["drain_limit_s"], poll_s=2)
        figures["drain_s"] = round(time.monotonic() - drain_started, 1)
        codes = cluster.stop()
        if any(code != 0 for code in codes):
            failures.append(f"a graceful stop exited with {codes}")

        state = get_json(f"{cluster.crm}/_fake/state")
        lost = set(acknowledged.values()) - in_log
        missing = in_log - created
        figures.update({"in_log": len(in_log), "lost": len(lost), "crm_created": state["created_total"],
                        "crm_duplicates": len(state["duplicates"]), "crm_missing": len(missing),
                        "crm_unknown": len(created - in_log), "rate_limited_429": state["rate_limited_total"]})
        if lost:
            failures.append(f"{len(lost)} acknowledged leads are not in the log: {sorted(lost)[:5]}")
        if state["duplicates"]:
            failures.append(f"duplicates in the CRM: {state['duplicates']}")
        if missing:
            failures.append(f"{len(missing)} leads of the log never reached the CRM within {profile['drain_limit_s']} s")
        if state["rate_limited_total"]:
            failures.append(f"the CRM answered 429 {state['rate_limited_total']} times: the request rate went over 7/s")
        if created - in_log:
            failures.append(f"the CRM has leads the log does not: {sorted(created - in_log)[:5]}")
        verify = cluster.leadledger("verify")
        figures["verify_exit"] = verify.returncode
        if verify.returncode != 0:
            failures.append(f"verify failed: {verify.stdout[-500:]} {verify.stderr[-500:]}")
        status = cluster.leadledger("status")
        try:
            figures["conservation_holds"] = json.loads(status.stdout)["conservation"]["holds"]
        except (ValueError, KeyError):
            figures["conservation_holds"] = False
        if not figures["conservation_holds"]:
            failures.append(f"conservation does not hold: {status.stdout[-500:]} {status.stderr[-500:]}")
    finally:
        cluster.close()

    print(f"kill storm ({figures['profile']}, {figures['backend']}, seed {figures['seed']}): {figures.get('storm_s')} s, "
          f"{figures.get('clients')} clients, kills {figures.get('kills')} (serve listening again within "
          f"{figures.get('serve_back_listening_max_s')} s); acknowledged {figures.get('acknowledged')}, "
          f"client retries {figures.get('client_retries')}; in the log {figures.get('in_log')}, lost "
          f"{figures.get('lost')}; CRM created {figures.get('crm_created')}, duplicates {figures.get('crm_duplicates')}, "
          f"missing {figures.get('crm_missing')}, 429s {figures.get('rate_limited_429')}; drained in "
          f"{figures.get('drain_s')} s; verify exit {figures.get('verify_exit')}; conservation "
          f"{figures.get('conservation_holds')}")
    finish(figures, failures, work, arguments.json)

if __name__ == "__main__":
    main()
