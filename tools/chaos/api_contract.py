#!/usr/bin/env python3
"""API contract: schemathesis generates requests from schemas/openapi.yaml and sends them to a real `leadledger
serve` (127.0.0.1, a temporary log, an admin token), checking every answer against the document: the status is one
it lists, the content type and headers are the documented ones, the body validates against the response schema, no
5xx, an undocumented method gets 405 with Allow, a secured route refuses a missing or wrong token, and so on
(`--checks all`). Then `serve` is stopped with SIGTERM (exit 0 expected) and `leadledger verify` must pass on the log
it wrote.

Before that: the document must be valid OpenAPI 3.1 (openapi-spec-validator), the Swift copy embedded in the binary
must be current (tools/openapi_embed.py --check), and `GET /openapi.yaml` must serve it byte for byte.

Profiles: `ci` (a couple of minutes at most: few examples per operation), `long` (many more).
Installs schemathesis and openapi-spec-validator from PyPI when missing.

Usage: tools/chaos/api_contract.py [--bin .build/debug] [--profile ci|long] [--seed N] [--keep]
Exit 0 when everything holds, 1 when something does not (each failure is printed by schemathesis, with a curl line
to reproduce it), 2 on setup problems.
"""
import argparse
import importlib.util
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cluster import free_port  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DOCUMENT = os.path.join(ROOT, "schemas/openapi.yaml")
CONFIG = os.path.join(os.path.dirname(os.path.abspath(__file__)), "schemathesis.toml")
# Examples per operation and a bound on the whole run. `ci` stays within a couple of minutes on 2 shared cores.
PROFILES = {
    "ci": {"max_examples": 25, "timeout_s": 240},
    "long": {"max_examples": 500, "timeout_s": 3600},
}


def ensure_installed(module: str, package: str) -> None:
    if importlib.util.find_spec(module) is not None:
        return
    print(f"installing {package} from PyPI", flush=True)
    base = [sys.executable, "-m", "pip", "install", "--quiet", package]
    if subprocess.run(base).returncode != 0 and subprocess.run(base + ["--break-system-packages"]).returncode != 0:
        raise SystemExit(2)


def validate_document() -> None:
    from openapi_spec_validator import validate
    from openapi_spec_validator.readers import read_from_filename

    document, _ = read_from_filename(DOCUMENT)
    if not str(document.get("openapi", "")).startswith("3.1."):
        raise SystemExit(f"{DOCUMENT}: not an OpenAPI 3.1 document")
    validate(document)
    embed = subprocess.run([sys.executable, os.path.join(ROOT, "tools/openapi_embed.py"), "--check"])
    if embed.returncode != 0:
        raise SystemExit(1)
    print("schemas/openapi.yaml: valid OpenAPI 3.1, embedded copy current", flush=True)


class Server:
    """`leadledger serve` on a free port over a log in `work`, with an admin token."""

    def __init__(self, binary_dir: str, work: str):
        self.binary = os.path.join(binary_dir, "leadledger")
        self.port = free_port()
        self.token = secrets.token_hex(16)
        self.env = {**{k: v for k, v in os.environ.items() if not k.startswith("LEADLEDGER_")},
                    "LEADLEDGER_DB": os.path.join(work, "ledger.sqlite"), "LEADLEDGER_HOST": "127.0.0.1",
                    "LEADLEDGER_PORT": str(self.port), "LEADLEDGER_ADMIN_TOKEN": self.token,
                    # The disk and memory rules judge the machine, not the API; keep them out of health's status.
                    "LEADLEDGER_ALERT_DISK_FREE_MB": "1", "LEADLEDGER_ALERT_MEMORY_PERCENT": "99",
                    # schemathesis posts hundreds of leads from 127.0.0.1 in seconds; the 429 stays in the contract.
                    "LEADLEDGER_RATE_LIMIT_PER_MIN": "0"}
        out = os.path.join(work, "serve.out")
        self.process = subprocess.Popen([self.binary, "serve"], env=self.env, stdout=open(out, "w"),
                                        stderr=open(os.path.join(work, "serve.err"), "w"))
        for _ in range(400):
            if "listening on" in open(out).read():
                return
            if self.process.poll() is not None:
                raise SystemExit(f"serve exited with {self.process.returncode}: see {work}/serve.err")
            time.sleep(0.025)
        self.process.kill()
        raise SystemExit("serve did not listen within 10 s")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                return self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                return -9
        return self.process.returncode


def served_document_matches(server: Server) -> bool:
    try:
        with urllib.request.urlopen(f"{server.url}/openapi.yaml", timeout=30) as reply:
            served = reply.read()
    except urllib.error.URLError as error:
        print(f"GET /openapi.yaml: {error}", flush=True)
        return False
    return served == open(DOCUMENT, "rb").read()


def run_schemathesis(server: Server, profile: dict, seed: int, work: str) -> int:
    command = [
        sys.executable, "-m", "schemathesis.cli", "--config-file", CONFIG, "run", DOCUMENT, "--url", server.url,
        "--header", f"Authorization: Bearer {server.token}",
        "--max-examples", str(profile["max_examples"]), "--seed", str(seed),
        "--workers", "1", "--request-timeout", "30", "--no-color", "--generation-database", "none",
        "--report", "junit", "--report-dir", os.path.join(work, "report"),
    ]
    print("$ schemathesis " + " ".join(command[3:]).replace(server.token, "***"), flush=True)
    try:
        return subprocess.run(command, cwd=work, timeout=profile["timeout_s"]).returncode
    except subprocess.TimeoutExpired:
        print(f"schemathesis did not finish within {profile['timeout_s']} s", flush=True)
        return 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", default=os.path.join(ROOT, ".build/debug"))
    parser.add_argument("--profile", choices=sorted(PROFILES), default="ci")
    parser.add_argument("--seed", type=int, default=None, help="schemathesis seed (default: random, printed)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (log, server output)")
    arguments = parser.parse_args()
    started = time.monotonic()
    ensure_installed("schemathesis", "schemathesis")
    ensure_installed("openapi_spec_validator", "openapi-spec-validator")
    validate_document()
    seed = arguments.seed if arguments.seed is not None else secrets.randbelow(2**31)
    work = tempfile.mkdtemp(prefix="leadledger-contract-")
    failures = []
    server = Server(arguments.bin, work)
    try:
        if not served_document_matches(server):
            failures.append("GET /openapi.yaml is not schemas/openapi.yaml byte for byte")
        if run_schemathesis(server, PROFILES[arguments.profile], seed, work) != 0:
            failures.append(f"schemathesis found failures (seed {seed}; rerun with --seed {seed})")
    finally:
        code = server.stop()
    if code != 0:
        failures.append(f"serve exited with {code} on SIGTERM, not 0 (see {work}/serve.err)")
    verify = subprocess.run([server.binary, "verify"], env=server.env, capture_output=True, text=True)
    if verify.returncode != 0:
        failures.append(f"leadledger verify failed ({verify.returncode}): {verify.stdout.strip()} {verify.stderr.strip()}")
    elapsed = time.monotonic() - started
    print(f"api contract ({arguments.profile}, seed {seed}): {'FAILED' if failures else 'ok'} in {elapsed:.0f} s; "
          f"serve exit {code}, verify exit {verify.returncode}", flush=True)
    for failure in failures:
        print(f"  - {failure}", flush=True)
    if arguments.keep or failures:
        print(f"  log and server output kept in {work}", flush=True)
    else:
        shutil.rmtree(work, ignore_errors=True)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
