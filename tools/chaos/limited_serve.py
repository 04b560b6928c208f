"""`serve` as the front door test runs it: its settings (the profile's timeouts, PER_IP connections per address, the
total cap derived from the descriptor limit), started under SERVE_NOFILE open files, and watched: its descriptors
counted every 50 ms, its detailed health read every half second.
"""
import os
import re
import resource
import shutil
import subprocess
import threading
import time

from front_door_probes import detailed_process

SERVE_NOFILE = 1024
PER_IP = 32


def serve_env(db: str, profile: dict) -> dict:
    """serve's environment: the profile's timeouts, the per-address cap and the header limits, over the log `db`, on a
    port of its choosing."""
    return {**{k: v for k, v in os.environ.items() if not k.startswith("LEADLEDGER_")},
            "LEADLEDGER_DB": db, "LEADLEDGER_HOST": "127.0.0.1", "LEADLEDGER_PORT": "0",
            "LEADLEDGER_HEADER_TIMEOUT_S": str(profile["header_s"]),
            "LEADLEDGER_BODY_TIMEOUT_S": str(profile["body_s"]), "LEADLEDGER_IDLE_TIMEOUT_S": str(profile["idle_s"]),
            "LEADLEDGER_SEND_TIMEOUT_S": str(profile["send_s"]),
            "LEADLEDGER_MAX_CONNECTIONS_PER_IP": str(PER_IP), "LEADLEDGER_MAX_HEADERS": "100",
            "LEADLEDGER_MAX_HEADER_BYTES": "16384",
            # LEADLEDGER_MAX_CONNECTIONS stays `auto`: deriving the cap from the descriptor limit is under test.
            # Every real lead comes from 127.0.0.1, one client address: a per-address rate limit would answer most
            # of them 429, which is that limit working, not what this test measures.
            "LEADLEDGER_RATE_LIMIT_PER_MIN": "0",
            # Each lead has its own phone anyway; no lead may be taken for an earlier one's repeat.
            "LEADLEDGER_DUPLICATE_WINDOW_S": "0"}


def limit_descriptors() -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (SERVE_NOFILE, SERVE_NOFILE))


def start_serve(binary_dir: str, work: str, env: dict) -> tuple:
    """`serve` under SERVE_NOFILE descriptors (soft and hard: it raises its soft limit to the hard one at start); its
    process and port."""
    command = [f"{binary_dir}/leadledger", "serve"]
    preexec = limit_descriptors
    if shutil.which("prlimit"):
        # prlimit sets the limit on itself and execs the command: the pid is serve's.
        command = ["prlimit", f"--nofile={SERVE_NOFILE}:{SERVE_NOFILE}", *command]
        preexec = None
    out = os.path.join(work, "serve.out")
    process = subprocess.Popen(command, env=env, stdout=open(out, "w"),
                               stderr=open(os.path.join(work, "serve.err"), "w"), preexec_fn=preexec)
    started = time.monotonic()
    while time.monotonic() - started < 30:
        listening = re.search(r"listening on http://\S+:(\d+)", open(out).read())
        if listening:
            return process, int(listening.group(1))
        if process.poll() is not None:
            raise SystemExit(f"serve exited with {process.returncode}: see {work}/serve.err")
        time.sleep(0.05)
    process.kill()
    raise SystemExit("serve did not listen within 30 s")


def nofile_limits(pid: int) -> tuple:
    """The soft and hard open-file limits a process runs under, as /proc words them."""
    with open(f"/proc/{pid}/limits") as limits:
        for line in limits:
            if line.startswith("Max open files"):
                soft, hard = line.split()[3:5]
                return soft, hard
    return None, None


def descriptors(pid: int) -> int | None:
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return None


def wait_descriptors(pid: int, at_most: int, limit_s: float) -> int | None:
    """Serve's descriptor count once it is at most `at_most`, or the last count when `limit_s` passes first."""
    started = time.monotonic()
    count = descriptors(pid)
    while count is not None and count > at_most and time.monotonic() - started < limit_s:
        time.sleep(0.2)
        count = descriptors(pid)
    return count


class DescriptorWatch(threading.Thread):
    """Samples serve's open descriptors every 50 ms for the whole run, keeping the peak of each phase."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid = pid
        self.phase = "start"
        self.peaks: dict = {}
        self.stop_event = threading.Event()

    def run(self) -> None:
        while not self.stop_event.wait(0.05):
            count = descriptors(self.pid)
            if count is None:
                return
            phase = self.phase
            self.peaks[phase] = max(self.peaks.get(phase, 0), count)


class HealthWatch(threading.Thread):
    """Reads detailed health every half second while the abuse runs: it must keep answering."""

    def __init__(self, port: int):
        super().__init__(daemon=True)
        self.port = port
        self.samples: list = []
        self.errors: list = []
        self.stop_event = threading.Event()

    def run(self) -> None:
        while True:
            process = detailed_process(self.port)
            if process is None:
                self.errors.append(time.monotonic())
            else:
                self.samples.append(process)
            if self.stop_event.wait(0.5):
                return
