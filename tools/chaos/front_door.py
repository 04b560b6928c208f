#!/usr/bin/env python3
"""Front door: `serve` under a 1,024-descriptor limit keeps taking real leads while thousands of connections from
other local addresses try to hold it open, and closes every such connection itself within its timeout.

A form backend's server is reachable by anyone; a few hundred connections that never finish a request (slowloris), or
never send one, are enough to use up the descriptors of a server that waits forever, after which it cannot accept the
real leads at all. `serve` answers with timeouts (headers, body, idle keep-alive, unread responses) and with caps on
open connections, in total and per client address, all tested here against the real binary on 127.0.0.0/8.

`serve` runs with its open-file limit at 1024 (soft and hard, via `prlimit`), the profile's timeouts, 32 connections
per address, the total cap left at `auto` (the descriptor limit minus its reserve), and the rate limit off:
  1. Warm-up leads, then IDLE_LEADS leads from 127.0.0.1 (LEAD_THREADS threads at LEAD_RATE a second, each over a fresh
     connection) measure the idle p50/p99; serve's descriptor count after that is the baseline.
  2. Abuse: ABUSIVE connections from 127.0.0.2-127.0.0.9, opened evenly over OPEN_S seconds by a separate process, each
     one of: partial headers then silence; partial headers then one more header byte a second (which must not extend
     the header deadline); nothing at all; one complete keep-alive request, then silence. Meanwhile LEADS real leads
     are posted from 127.0.0.1 as in step 1, and detailed health is read every half second.
  3. Total cap: connections from many addresses (few enough per address to stay under the per-address cap), more than
     the server's `max_connections` at once, then one lead from 127.0.0.1 once they are gone.
  4. Headers: 1,000 short headers (under 16 KiB: the count limit), 5,000 headers, and one 24 KiB header; each request
     is complete, so a server without limits would answer it 200.
  5. A lead body of 500 bytes sent one byte a second; 6. pipelined `GET /openapi.yaml` requests whose answers are
     never read (the server's send queue fills).
  7. SIGTERM (exit 0 expected), `leadledger verify`, and the log against the acknowledged leads.
Checks: every real lead acknowledged (201/200), and those posted during the abuse with p99 within max(5 x idle p99, idle
p99 + 50 ms); detailed health answers throughout and reports open/max connections and descriptors (max_descriptors =
1024, max_connections below it); serve's descriptors stay below 1024 all along (sampled every 50 ms; no "Too many open
files" in its log); every accepted abusive connection is closed by the server (EOF or reset seen by the client) within
its bound + MARGIN_S: the header timeout from its opening, or for a keep-alive one the idle timeout from its answer;
none is still open, none never accepted; at most 32 (+ slack for the moment between a close and seeing it) held at once
from one address, and at least one refused at once (a canned 503, or a close within REFUSE_WINDOW_S); after the abuse
each abusive address is served again, open_connections falls to 3 or fewer, and descriptors return within 16 of the
baseline; under the total cap no more than `max_connections` (+ the same slack) held at once, some refused, descriptors
below 1024, a lead accepted afterwards, and descriptors back within 16 of the baseline (again at the end); each header
request answered 400 or 431 (or not at all) and closed before the header timeout; the trickled body closed within the
body timeout + MARGIN_S (not within its first second: that would be a refusal for another reason), never acknowledged,
its key not in the log; the unread connection dropped by serve (its socket gone from serve in /proc/net/tcp) within the
send timeout + MARGIN_S; /metrics counts refusals (per_ip, total) and closes (header, idle, body and send timeouts) and
has the open-descriptor, descriptor-limit and open-connection gauges; `verify` passes; every acknowledged lead is in the
log and the log holds no other. Prints the figures and writes them as JSON (--json FILE). Exit 0 only when every check
passes.

Usage: tools/chaos/front_door.py [--bin .build/debug] [--profile ci|long] [--json FILE]
  ci:   timeouts header 2 s, body 3 s, idle 3 s, send 3 s; 2,000 abusive connections over 6 s, 200 leads (make test)
  long: timeouts header 10 s, body 30 s, idle 60 s, send 30 s; 6,000 over 120 s, 2,000 leads (make chaos PROFILE=long)
"""
import http.client
import math
import os
import signal
import subprocess
import tempfile
import time

from abusive_clients import raise_own_limit, run_abuse, summarize
from cluster import finish, lead_ids, parse_arguments, percentile, read_log
from front_door_probes import (counters_by_reason, detailed_process, gauge, http_get, metrics, refused_headers,
                               trickle_body, unread_responses)
from limited_serve import (PER_IP, SERVE_NOFILE, DescriptorWatch, HealthWatch, descriptors, nofile_limits,
                           serve_env, start_serve, wait_descriptors)
from paced_leads import post_lead, post_paced

PROFILES = {
    "ci": {"header_s": 2, "body_s": 3, "idle_s": 3, "send_s": 3, "abusive": 2000, "open_s": 6, "ramp_s": 1,
           "leads": 200, "idle_leads": 100, "lead_threads": 4, "lead_rate": 40, "margin_s": 4},
    "long": {"header_s": 10, "body_s": 30, "idle_s": 60, "send_s": 30, "abusive": 6000, "open_s": 120, "ramp_s": 5,
             "leads": 2000, "idle_leads": 200, "lead_threads": 8, "lead_rate": 20, "margin_s": 10},
}
# The client side of a close is seen a select round or two after the server's, while the next connection from the
# same address may already be accepted in its place.
PER_IP_SLACK = 8
ABUSIVE_SOURCES = [f"127.0.0.{n}" for n in range(2, 10)]
# Under the total cap each address keeps this many below the per-address cap, so only the total can refuse them.
CAP_PER_SOURCE = PER_IP - 4
CAP_EXTRA = 400
DESCRIPTOR_MARGIN = 16
TRICKLE_KEY = "front-door-trickle"


class FrontDoor:
    """One run's phases against one `serve`; they share its port and pid, the figures, the failures and the
    acknowledged leads."""

    def __init__(self, profile: dict, port: int, pid: int, watch: DescriptorWatch, figures: dict, failures: list):
        self.profile, self.port, self.pid, self.watch = profile, port, pid, watch
        self.figures, self.failures = figures, failures
        self.header_s, self.body_s, self.idle_s, self.send_s, self.margin_s = (
            profile[key] for key in ("header_s", "body_s", "idle_s", "send_s", "margin_s"))
        self.acknowledged: dict = {}  # lead number -> lead id
        self.baseline = None
        self.max_connections = None

    def take(self, answers: list, what: str) -> list:
        """Records the acknowledged leads, fails on any other answer; the latencies of the acknowledged ones."""
        bad = [answer for answer in answers if answer["status"] not in (200, 201) or "lead_id" not in answer]
        for answer in answers:
            if "lead_id" in answer:
                self.acknowledged[answer["number"]] = answer["lead_id"]
        if bad:
            self.failures.append(f"{len(bad)} of {len(answers)} {what} not acknowledged, e.g. "
                                 f"{[(a['status'], a.get('error', '')[:120]) for a in bad[:3]]}")
        return [answer["ms"] for answer in answers if answer["status"] in (200, 201)]

    def paced_leads(self, first: int, count: int) -> list:
        return post_paced(self.port, list(range(first, first + count)), self.profile["lead_threads"],
                          self.profile["lead_rate"])

    def summarized(self, name: str, records: list, info: dict, plan: dict, prefix: str = "") -> dict:
        """The figures of one abuse, kept under `name`; what went wrong in it is a failure."""
        figures, problems = summarize(records, plan)
        self.figures[name] = figures
        self.failures.extend(prefix + problem for problem in problems)
        if info["client_errors"]:
            self.failures.append(f"the abusing client could not open sockets: {info['client_errors']}")
        return figures

    def descriptors_back(self, when: str, limit_s: float) -> None:
        count = wait_descriptors(self.pid, self.baseline + DESCRIPTOR_MARGIN, limit_s)
        self.figures[f"descriptors_{when.replace(' ', '_')}"] = count
        if count is None or count > self.baseline + DESCRIPTOR_MARGIN:
            self.failures.append(f"serve holds {count} descriptors {when}, baseline {self.baseline}")

    def idle(self) -> list:
        """Warm-up, then the idle latencies; the baseline descriptors after them. The first detailed health and
        /metrics open the read connections they keep, so they come before the baseline."""
        self.take([post_lead(self.port, number) for number in range(1, 6)], "warm-up leads")
        detailed_process(self.port)
        metrics(self.port)
        self.watch.phase = "idle"
        idle_ms = self.take(self.paced_leads(100, self.profile["idle_leads"]), "idle leads")
        time.sleep(0.5)
        self.baseline = descriptors(self.pid)
        if self.baseline is None:
            raise SystemExit("serve exited during the warm-up")
        self.figures["baseline_descriptors"] = self.baseline
        return idle_ms

    def abuse(self, idle_ms: list) -> None:
        """The abuse from 127.0.0.2-9, with real leads and detailed health from 127.0.0.1 meanwhile."""
        self.watch.phase = "abuse"
        health = HealthWatch(self.port)
        header_s = self.header_s
        plan = {"sources": ABUSIVE_SOURCES, "kinds": ["slowloris", "trickle", "silent", "keepalive"],
                "attempts": self.profile["abusive"], "open_s": self.profile["open_s"], "margin_s": self.margin_s,
                "bounds": {"slowloris": header_s, "trickle": header_s, "silent": header_s, "keepalive": self.idle_s}}

        def meanwhile() -> list:
            health.start()
            # The per-address caps fill in the first seconds; the leads meet them full.
            time.sleep(self.profile["ramp_s"])
            return self.paced_leads(10_000, self.profile["leads"])

        records, info, answers = run_abuse(self.port, plan, meanwhile)
        health.stop_event.set()
        health.join(timeout=15)
        abused_ms = self.take(answers, "leads during the abuse")
        figures = self.summarized("abuse", records, info, plan)
        if figures["held_at_once_per_address_peak"] > PER_IP + PER_IP_SLACK:
            self.failures.append(f"{figures['held_at_once_per_address_peak']} connections held at once from one "
                                 f"address (the cap is {PER_IP})")
        if not figures["refused_at_once"]:
            self.failures.append("no abusive connection was refused: the per-address cap never acted")
        if not figures["accepted"]:
            self.failures.append("no abusive connection was accepted: the test exercised no timeout")

        idle_p99, abused_p99 = percentile(idle_ms, 0.99), percentile(abused_ms, 0.99)
        bound_ms = round(max(5 * idle_p99, idle_p99 + 50), 1) if idle_p99 is not None else None
        self.figures["leads"] = {"idle_p50_ms": percentile(idle_ms, 0.5), "idle_p99_ms": idle_p99,
                                 "abused_p50_ms": percentile(abused_ms, 0.5), "abused_p99_ms": abused_p99,
                                 "abused_p99_bound_ms": bound_ms, "during_abuse": len(answers),
                                 "acknowledged_during_abuse": len(abused_ms)}
        if abused_p99 is not None and bound_ms is not None and abused_p99 > bound_ms:
            self.failures.append(f"lead p99 under abuse {abused_p99} ms is over max(5 x idle p99, idle p99 + 50 ms) "
                                 f"= {bound_ms} ms (idle p99 {idle_p99} ms)")
        self.judge_health(health)

    def judge_health(self, health: HealthWatch) -> None:
        samples = health.samples
        last = samples[-1] if samples else {}
        self.figures["health"] = {
            "samples": len(samples), "unanswered": len(health.errors),
            "open_connections_max": max((s.get("open_connections") or 0 for s in samples), default=None),
            "max_connections": last.get("max_connections"),
            "open_descriptors_max": max((s.get("open_descriptors") or 0 for s in samples), default=None),
            "max_descriptors": last.get("max_descriptors")}
        if health.errors or not samples:
            self.failures.append(f"detailed health went unanswered {len(health.errors)} times during the abuse "
                                 f"({len(samples)} answers)")
        fields = ("open_descriptors", "max_descriptors", "open_connections", "max_connections")
        missing = sorted({field for s in samples for field in fields if not isinstance(s.get(field), int)})
        if missing:
            self.failures.append(f"detailed health's process object lacks {missing}")
        max_connections, max_descriptors = last.get("max_connections"), last.get("max_descriptors")
        if isinstance(max_descriptors, int) and max_descriptors != SERVE_NOFILE:
            self.failures.append(f"detailed health reports max_descriptors {max_descriptors}; serve runs under "
                                 f"{SERVE_NOFILE}")
        if isinstance(max_connections, int) and isinstance(max_descriptors, int):
            if max_connections >= max_descriptors:
                self.failures.append(f"max_connections {max_connections} leaves no descriptors for anything else "
                                     f"(max_descriptors {max_descriptors})")
        if isinstance(max_connections, int):
            self.max_connections = max_connections

    def after_abuse(self) -> None:
        """Every abusive address is served again, and the counts fall back."""
        self.watch.phase = "after abuse"
        self.descriptors_back("after abuse", 10 + self.margin_s)
        turned_away = []
        for source in ABUSIVE_SOURCES:
            try:
                status, _ = http_get(self.port, "/api/health", source=source)
            except (OSError, http.client.HTTPException) as error:
                status = repr(error)
            if status != 200:
                turned_away.append((source, status))
        if turned_away:
            self.failures.append(f"abusive addresses still turned away after their connections closed: {turned_away}")
        # The closes of the requests just made may take a moment to be counted.
        open_connections = None
        for _ in range(20):
            open_connections = (detailed_process(self.port) or {}).get("open_connections")
            if isinstance(open_connections, int) and open_connections <= 3:
                break
            time.sleep(0.25)
        self.figures["open_connections_after_abuse"] = open_connections
        if not isinstance(open_connections, int) or open_connections > 3:
            self.failures.append(f"open_connections is {open_connections} with only the health request open: "
                                 "closed connections are still counted")

    def total_cap(self) -> None:
        """More connections at once than `max_connections`, from addresses that each stay under the per-address
        cap; then a lead from 127.0.0.1 once they are gone."""
        self.watch.phase = "total cap"
        # A cap at or above the descriptor limit is no cap: never more than the limit allows in any case.
        target = self.max_connections if self.max_connections is not None and self.max_connections < SERVE_NOFILE \
            else SERVE_NOFILE
        attempts = target + CAP_EXTRA
        sources = [f"127.0.{1 + n // 250}.{1 + n % 250}" for n in range(math.ceil(attempts / CAP_PER_SOURCE))]
        # All opened within a quarter of the header timeout, so they are open at once.
        plan = {"sources": sources, "kinds": ["silent", "slowloris"], "attempts": attempts,
                "open_s": self.header_s / 4, "margin_s": self.margin_s,
                "bounds": {"silent": self.header_s, "slowloris": self.header_s}}
        records, info, _ = run_abuse(self.port, plan)
        figures = self.summarized("total_cap", records, info, plan, "total cap: ")
        if self.max_connections is not None and figures["held_at_once_peak"] > self.max_connections + PER_IP_SLACK:
            self.failures.append(f"{figures['held_at_once_peak']} connections held at once, max_connections is "
                                 f"{self.max_connections}")
        if not figures["refused_at_once"]:
            self.failures.append(f"{attempts} connections at once and none refused: the total cap never acted")
        after = post_lead(self.port, 900_000)
        self.take([after], "leads after the total cap")
        figures["lead_after"] = after["status"]
        self.descriptors_back("after total cap", 10 + self.margin_s)

    def oversized_headers(self) -> None:
        """Each request is complete, so only a limit refuses it; a server without one would answer 200."""
        self.watch.phase = "headers"
        head = b"GET /api/health HTTP/1.1\r\nHost: x\r\n"
        cases = {"many_headers": head + b"".join(b"X-%d: v\r\n" % n for n in range(1000)) + b"\r\n",
                 "header_flood": head + b"".join(b"X-H%d: v\r\n" % n for n in range(5000)) + b"\r\n",
                 "huge_header": head + b"X-Big: " + b"a" * (24 << 10) + b"\r\n\r\n"}
        for name, request in cases.items():
            outcome = refused_headers(self.port, request, self.header_s)
            self.figures[name] = outcome
            if outcome["status"] not in (None, 400, 431) or not outcome["closed"]:
                self.failures.append(f"{name} ({len(request)} bytes): answered {outcome['status']}, closed "
                                     f"{outcome['closed']} within {self.header_s} s; expected 400 and a close before "
                                     "the header timeout")

    def body_trickle(self) -> None:
        self.watch.phase = "body trickle"
        trickle = trickle_body(self.port, TRICKLE_KEY, self.body_s, self.margin_s)
        self.figures["trickle"] = trickle
        if not trickle["closed"]:
            self.failures.append(f"a body trickled one byte a second was still open {self.body_s + self.margin_s} s "
                                 "after its head")
        elif trickle["closed_after_s"] < min(1.0, self.body_s / 2):
            self.failures.append(f"the trickled body was refused after {trickle['closed_after_s']} s (status "
                                 f"{trickle['status']}), before the body timeout could apply")
        if trickle["status"] in (200, 201):
            self.failures.append("a lead whose body never arrived was acknowledged")

    def unread(self) -> None:
        self.watch.phase = "send timeout"
        unread = unread_responses(self.port, self.send_s, self.margin_s)
        self.figures["send_timeout"] = unread
        if unread["released_after_s"] is None:
            self.failures.append(f"a client reading nothing was still held {self.send_s + self.margin_s} s after its "
                                 f"requests ({unread})")

    def counters(self) -> None:
        """Serve still takes leads, and its counters saw what happened."""
        self.watch.phase = "end"
        self.take([post_lead(self.port, 900_001)], "leads after everything")
        text = metrics(self.port)
        refused = counters_by_reason(text, "leadledger_http_connections_refused_total")
        closed = counters_by_reason(text, "leadledger_http_connections_closed_total")
        gauges = {name: gauge(text, name) for name in ("leadledger_process_open_fds", "leadledger_process_max_fds",
                                                       "leadledger_http_connections_open")}
        self.figures["metrics"] = {"refused_total": refused, "closed_total": closed,
                                   "process_open_fds": gauges["leadledger_process_open_fds"],
                                   "process_max_fds": gauges["leadledger_process_max_fds"],
                                   "connections_open": gauges["leadledger_http_connections_open"]}
        provoked = (("refused", refused, ["per_ip", "total"]),
                    ("closed", closed, ["header_timeout", "idle_timeout", "body_timeout", "send_timeout"]))
        for name, values, reasons in provoked:
            uncounted = [reason for reason in reasons if not values.get(reason)]
            if uncounted:
                self.failures.append(f"/metrics counts no connections {name} for {uncounted} (all were provoked)")
        self.failures.extend(f"/metrics has no {name}" for name, value in gauges.items() if value is None)
        self.descriptors_back("at the end", 10)

    def the_log(self, db: str) -> None:
        """Every acknowledged lead is in the log, and nothing else is: not the trickled one, not one unanswered."""
        in_log = lead_ids(db)
        acknowledged = set(self.acknowledged.values())
        lost, unacknowledged = acknowledged - in_log, in_log - acknowledged
        trickled = read_log(db, "SELECT count(*) FROM event WHERE type = 'LeadReceived' AND "
                                f"json_extract(data, '$.idempotency_key') = '{TRICKLE_KEY}'")[0][0]
        self.figures.update({"acknowledged": len(acknowledged), "in_log": len(in_log), "lost": len(lost),
                             "in_log_unacknowledged": len(unacknowledged)})
        if lost:
            self.failures.append(f"{len(lost)} acknowledged leads are not in the log: {sorted(lost)[:5]}")
        if unacknowledged:
            self.failures.append(f"{len(unacknowledged)} leads in the log were never acknowledged: "
                                 f"{sorted(unacknowledged)[:5]}")
        if trickled:
            self.failures.append("the trickled lead is in the log")


def main() -> None:
    arguments = parse_arguments(__doc__, PROFILES, ".build/debug", "ci")
    profile = PROFILES[arguments.profile]
    client_nofile = raise_own_limit(profile["abusive"] + SERVE_NOFILE + CAP_EXTRA + 256)
    work = tempfile.mkdtemp(prefix="leadledger-front-door-")
    db = os.path.join(work, "ledger.sqlite")
    env = serve_env(db, profile)
    figures: dict = {"profile": arguments.profile, "work": work, "client_nofile": client_nofile,
                     "timeouts_s": {kind: profile[f"{kind}_s"] for kind in ("header", "body", "idle", "send")}}
    failures: list = []
    serve = watch = None
    try:
        serve, port = start_serve(arguments.bin, work, env)
        soft, hard = nofile_limits(serve.pid)
        figures["serve_nofile"] = f"{soft}:{hard}"
        if (soft, hard) != (str(SERVE_NOFILE), str(SERVE_NOFILE)):
            failures.append(f"serve runs with an open-file limit of {soft}:{hard}, not {SERVE_NOFILE}: the test "
                            "does not test what it says")
        watch = DescriptorWatch(serve.pid)
        watch.start()
        run = FrontDoor(profile, port, serve.pid, watch, figures, failures)
        run.abuse(run.idle())
        run.after_abuse()
        run.total_cap()
        run.oversized_headers()
        run.body_trickle()
        run.unread()
        run.counters()

        watch.stop_event.set()
        serve.send_signal(signal.SIGTERM)
        try:
            figures["serve_exit"] = serve.wait(timeout=60)
        except subprocess.TimeoutExpired:
            figures["serve_exit"] = None
        if figures["serve_exit"] != 0:
            failures.append(f"a graceful stop exited with {figures['serve_exit']}")
        figures["descriptor_peaks"] = dict(watch.peaks)
        figures["peak_descriptors"] = max(watch.peaks.values(), default=None)
        if figures["peak_descriptors"] is None or figures["peak_descriptors"] >= SERVE_NOFILE:
            failures.append(f"serve's descriptors peaked at {figures['peak_descriptors']} (limit {SERVE_NOFILE})")
        errors = open(os.path.join(work, "serve.err"), errors="replace").read()
        if "Too many open files" in errors or "EMFILE" in errors:
            failures.append("serve ran out of descriptors (its log says so)")
        verify = subprocess.run([f"{arguments.bin}/leadledger", "verify"], env=env, capture_output=True, text=True,
                                timeout=300)
        figures["verify_exit"] = verify.returncode
        if verify.returncode != 0:
            failures.append(f"verify failed: {verify.stdout[-500:]} {verify.stderr[-500:]}")
        run.the_log(db)
    finally:
        if watch:
            watch.stop_event.set()
        if serve and serve.poll() is None:
            serve.kill()
            serve.wait(timeout=30)

    abuse_figures, lead_figures = figures.get("abuse", {}), figures.get("leads", {})
    print(f"front door ({arguments.profile}): {abuse_figures.get('attempted')} abusive connections, "
          f"{abuse_figures.get('accepted')} held and {abuse_figures.get('refused_at_once')} refused at once, "
          f"{abuse_figures.get('still_open')} left open, last closed "
          f"{abuse_figures.get('last_closed_after_last_opened_s')} s after the last opened; total cap "
          f"{figures.get('total_cap', {}).get('held_at_once_peak')} held of "
          f"{figures.get('health', {}).get('max_connections')}; leads p50/p99 idle {lead_figures.get('idle_p50_ms')}/"
          f"{lead_figures.get('idle_p99_ms')} ms, abused {lead_figures.get('abused_p50_ms')}/"
          f"{lead_figures.get('abused_p99_ms')} ms (bound {lead_figures.get('abused_p99_bound_ms')}); descriptors "
          f"baseline {figures.get('baseline_descriptors')}, peak {figures.get('peak_descriptors')}, final "
          f"{figures.get('descriptors_at_the_end')}; header flood {figures.get('header_flood', {}).get('status')}, "
          f"trickle closed after {figures.get('trickle', {}).get('closed_after_s')} s, unread released after "
          f"{figures.get('send_timeout', {}).get('released_after_s')} s; acknowledged {figures.get('acknowledged')}, "
          f"lost {figures.get('lost')}; verify exit {figures.get('verify_exit')}")
    finish(figures, failures, work, arguments.json)


if __name__ == "__main__":
    main()
