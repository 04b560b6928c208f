#!/usr/bin/env python3
"""Storage fault: the log's file system turns read-only under a running `serve`.

The Swift tests cover a full disk, a held write lock and a disk that is read-only at start. A read-only turn while
`serve` holds the log open cannot be made with `mount -o remount,ro` (the kernel answers EBUSY while a file is open
for writing); what does it in production is an I/O error on a file system mounted `errors=remount-ro`. This script
makes exactly that: a 64 MiB ext4 image on a loop device, mounted `errors=remount-ro`, and ext4's own
`/sys/fs/ext4/<dev>/trigger_fs_error`, which takes the mount read-only at once, open files and all.

  1. `serve` takes LEADS leads on the loop mount (each must be 201);
  2. the file system errors and turns read-only; LEADS more posts must each be refused with 503 and a JSON error,
     never 2xx; `serve` must keep answering (health) and stop when asked;
  3. as an operator would: unmount, `e2fsck -y`, mount again; `verify` must pass and every acknowledged lead must
     be in the log; a new `serve` on it takes leads again.
An emergency read-only ext4 cannot be made writable under a running process, so "recovers by itself" is not what
step 3 measures; that step is the operator's, and the ledger's part is that nothing acknowledged was lost.

Needs root and a free loop device (`losetup`, `mkfs.ext4`, `e2fsck`); run by `make chaos`, not by `make test`.
Usage: tools/chaos/storage_faults.py [--bin .build/debug] [--profile ci|long] [--json FILE]
"""
import http.client
import json
import os
import subprocess
import tempfile
import time

from cluster import Cluster, finish, parse_arguments, read_log

PROFILES = {"ci": {"leads": 50}, "long": {"leads": 500}}


def post(port: int, number: int) -> tuple[int, dict]:
    body = json.dumps({"name": "Диск Тестович", "phone": f"+7917{number:07d}", "utm_source": "chaos"}).encode()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("POST", "/api/leads", body, {"Content-Type": "application/json"})
        reply = connection.getresponse()
        text = reply.read()
        try:
            return reply.status, json.loads(text)
        except ValueError:
            return reply.status, {"unparsed": text[:200].decode(errors="replace")}
    finally:
        connection.close()


def health(port: int, path: str) -> tuple[int, str]:
    """The status code of a health endpoint, and the `status` its body names."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path)
        reply = connection.getresponse()
        try:
            return reply.status, str(json.loads(reply.read()).get("status"))
        except ValueError:
            return reply.status, "unparsed"
    finally:
        connection.close()


def run(command: list) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def main() -> None:
    arguments = parse_arguments(__doc__, PROFILES, ".build/debug", "ci")
    profile = PROFILES[arguments.profile]
    work = tempfile.mkdtemp(prefix="leadledger-storage-")
    image, mount = os.path.join(work, "disk.img"), os.path.join(work, "mnt")
    os.mkdir(mount)
    failures: list = []
    figures: dict = {"profile": arguments.profile, "work": work}
    with open(image, "wb") as disk:
        disk.truncate(64 * 1024 * 1024)
    for step in (["mkfs.ext4", "-q", image], ["losetup", "-f", "--show", image]):
        result = run(step)
        if result.returncode != 0:
            raise SystemExit(f"{' '.join(step)} failed (root and a loop device are needed): {result.stderr.strip()}")
    loop = result.stdout.strip()
    db = os.path.join(mount, "ledger.sqlite")
    cluster = None
    try:
        if run(["mount", "-o", "errors=remount-ro", loop, mount]).returncode != 0:
            raise SystemExit(f"cannot mount {loop}")
        cluster = Cluster(arguments.bin, work, settings={"LEADLEDGER_DB": db})
        cluster.start_serve()
        acknowledged = set()
        for number in range(profile["leads"]):
            status, body = post(cluster.port, number)
            if status != 201:
                failures.append(f"before the fault lead {number} got {status}: {body}")
                break
            acknowledged.add(body["lead_id"])

        with open(f"/sys/fs/ext4/{os.path.basename(loop)}/trigger_fs_error", "w") as trigger:
            trigger.write("leadledger storage fault\n")
        refused, answers = 0, {}
        for number in range(profile["leads"], 2 * profile["leads"]):
            status, body = post(cluster.port, number)
            answers[status] = answers.get(status, 0) + 1
            if 200 <= status < 300:
                acknowledged.add(body.get("lead_id"))
                failures.append(f"a post on the read-only file system was answered {status}")
            elif status == 503 and isinstance(body.get("error"), str):
                refused += 1
        if refused != profile["leads"]:
            failures.append(f"on the read-only file system the answers were {answers}, not 503 with a JSON error each")
        health_status = [health(cluster.port, path) for path in ("/api/health", "/api/health/detailed")]
        if cluster.serve.poll() is not None:
            failures.append(f"serve exited ({cluster.serve.returncode}) on the read-only file system")
        started = time.monotonic()
        codes = cluster.stop()
        figures.update({"acknowledged": len(acknowledged), "refused_503": refused, "answers_after_fault": answers,
                        "health_status_after_fault": health_status, "serve_exit": codes,
                        "serve_stop_s": round(time.monotonic() - started, 2)})

        # The operator's part: unmount, check, mount again.
        for step in (["umount", mount], ["e2fsck", "-fy", loop], ["mount", loop, mount]):
            result = run(step)
            if step[0] != "e2fsck" and result.returncode != 0:
                raise SystemExit(f"{' '.join(step)} failed: {result.stderr.strip()}")
        in_log = {row[0] for row in read_log(db, "SELECT stream FROM event WHERE type = 'LeadReceived'")}
        lost = acknowledged - in_log
        verify = cluster.leadledger("verify")
        figures.update({"in_log": len(in_log), "lost": len(lost), "verify_exit": verify.returncode})
        if lost:
            failures.append(f"{len(lost)} acknowledged leads are not in the log: {sorted(lost)[:5]}")
        if verify.returncode != 0:
            failures.append(f"verify failed: {verify.stdout[-500:]} {verify.stderr[-500:]}")
        cluster.start_serve()
        status, body = post(cluster.port, 9_999_999)
        figures["after_remount"] = status
        if status != 201:
            failures.append(f"a new serve on the repaired file system answered {status}: {body}")
        cluster.stop()
        print(f"storage fault ({arguments.profile}): {len(acknowledged)} acknowledged, then read-only: answers "
              f"{answers}, health {health_status}, serve stopped with {codes} in {figures['serve_stop_s']} s; after "
              f"e2fsck and remount: {len(in_log)} in the log, lost {len(lost)}, verify exit {verify.returncode}, "
              f"a new serve answered {status}")
    finally:
        if cluster:
            cluster.close()
        run(["umount", mount])
        run(["losetup", "-d", loop])
    finish(figures, failures, work, arguments.json)


if __name__ == "__main__":
    main()
