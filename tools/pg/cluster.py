#!/usr/bin/env python3
"""A throwaway PostgreSQL cluster on 127.0.0.1, for tests, benchmarks and `make run-postgres`.

  cluster.py start --dir DIR [--port N] [--owner-pid PID]   initdb + pg_ctl start; prints the URL on stdout
  cluster.py stop --dir DIR                                  pg_ctl stop -m fast, then removes DIR
  cluster.py restart --dir DIR                               pg_ctl restart -m immediate (a crash and recovery)
  cluster.py up --dir DIR                                    starts the cluster kept in DIR (made on first use); prints the URL
  cluster.py down --dir DIR                                  pg_ctl stop -m fast, keeping DIR and its data

The cluster belongs to an unprivileged user: the one running this script, or `postgres` when that is root (initdb
refuses root). It listens on 127.0.0.1 only, on a free port unless --port names one, and asks TCP clients for a
password (scram-sha-256, a random one per cluster, in the printed URL), as a managed PostgreSQL does; only its own
Unix socket, inside DIR, trusts the owner. With --owner-pid, a watchdog stops the cluster and removes DIR when that
process ends, so a test run that crashes leaves no server behind.

Durability is PostgreSQL's default and the ledger's requirement: fsync=on, synchronous_commit=on.
"""
import argparse
import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import sys
import time

DATABASE = "leadledger"


def bin_dir() -> str:
    """Debian keeps the server programs out of PATH, in /usr/lib/postgresql/<version>/bin."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[4]), reverse=True)
    for directory in candidates:
        if os.path.exists(os.path.join(directory, "pg_ctl")):
            return directory
    found = shutil.which("pg_ctl")
    if found:
        return os.path.dirname(found)
    sys.exit("PostgreSQL server programs not found: apt-get install postgresql")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def as_owner(command: list[str]) -> list[str]:
    """Runs as `postgres` when we are root: initdb and the server refuse to run as root."""
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", "postgres", "--", *command]


def owner_ids() -> tuple[int, int]:
    if os.geteuid() != 0:
        return os.geteuid(), os.getegid()
    entry = pwd.getpwnam("postgres")
    return entry.pw_uid, entry.pw_gid


def run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(as_owner(command), check=True, stdout=subprocess.DEVNULL, **kwargs)


def start(directory: str, port: int, owner_pid: int | None) -> None:
    tools = bin_dir()
    os.makedirs(directory, exist_ok=True)
    uid, gid = owner_ids()
    os.chown(directory, uid, gid)
    data = os.path.join(directory, "data")
    password = secrets.token_hex(16)
    password_file = os.path.join(directory, "password")
    with open(password_file, "w") as file:
        file.write(password + "\n")
    os.chown(password_file, uid, gid)
    os.chmod(password_file, 0o600)
    run([f"{tools}/initdb", "-D", data, "-U", "postgres", "--auth-local=trust", "--auth-host=scram-sha-256",
         f"--pwfile={password_file}", "--encoding=UTF8", "--locale=C.UTF-8"])
    with open(os.path.join(data, "postgresql.conf"), "a") as conf:
        conf.write(f"listen_addresses = '127.0.0.1'\nport = {port}\nunix_socket_directories = '{directory}'\n"
                   "max_connections = 200\nfsync = on\nsynchronous_commit = on\n")
    log = os.path.join(directory, "server.log")
    run([f"{tools}/pg_ctl", "-D", data, "-l", log, "-w", "-t", "60", "start"])
    run([f"{tools}/psql", "-h", directory, "-p", str(port), "-U", "postgres", "-d", "postgres", "-q",
         "-c", f"CREATE DATABASE {DATABASE}"])
    if owner_pid:
        watchdog(tools, data, directory, owner_pid)
    print(f"postgres://postgres:{password}@127.0.0.1:{port}/{DATABASE}?sslmode=disable", flush=True)


def watchdog(tools: str, data: str, directory: str, owner_pid: int) -> None:
    """A detached child that outlives this script and stops the cluster once `owner_pid` is gone."""
    if os.fork() != 0:
        return
    os.setsid()
    if os.fork() != 0:
        os._exit(0)
    # Every inherited descriptor goes: a caller that reads our output to its end (a test harness's pipe, possibly
    # inherited past 0-2) must see it close when this script exits, not when the watchdog does.
    os.closerange(3, os.sysconf("SC_OPEN_MAX"))
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    if devnull > 2:
        os.close(devnull)
    while True:
        try:
            os.kill(owner_pid, 0)
        except ProcessLookupError:
            break
        except PermissionError:
            pass
        time.sleep(1)
    subprocess.run(as_owner([f"{tools}/pg_ctl", "-D", data, "-m", "immediate", "-w", "stop"]),
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    shutil.rmtree(directory, ignore_errors=True)
    os._exit(0)


def restart(directory: str) -> None:
    """Kills the server without a checkpoint, as a crash would, and starts it again (WAL replay)."""
    data = os.path.join(directory, "data")
    run([f"{bin_dir()}/pg_ctl", "-D", data, "-m", "immediate", "-l", os.path.join(directory, "server.log"), "-w",
         "-t", "60", "restart"])


def up(directory: str) -> None:
    """The cluster kept in DIR, for `make run-postgres`: made on first use, started again (same port, same password,
    same data) on the next."""
    data = os.path.join(directory, "data")
    if not os.path.exists(os.path.join(data, "PG_VERSION")):
        start(directory, free_port(), None)
        return
    with open(os.path.join(data, "postgresql.conf")) as conf:
        port = [line.split("=")[1].strip() for line in conf if line.startswith("port = ")][-1]
    with open(os.path.join(directory, "password")) as file:
        password = file.read().strip()
    if not os.path.exists(os.path.join(data, "postmaster.pid")):
        run([f"{bin_dir()}/pg_ctl", "-D", data, "-l", os.path.join(directory, "server.log"), "-w", "-t", "60", "start"])
    print(f"postgres://postgres:{password}@127.0.0.1:{port}/{DATABASE}?sslmode=disable", flush=True)


def down(directory: str) -> None:
    data = os.path.join(directory, "data")
    if os.path.exists(os.path.join(data, "postmaster.pid")):
        run([f"{bin_dir()}/pg_ctl", "-D", data, "-m", "fast", "-w", "stop"])


def stop(directory: str) -> None:
    data = os.path.join(directory, "data")
    if os.path.exists(os.path.join(data, "postmaster.pid")):
        run([f"{bin_dir()}/pg_ctl", "-D", data, "-m", "fast", "-w", "stop"])
    shutil.rmtree(directory, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", choices=["start", "stop", "restart", "up", "down"])
    parser.add_argument("--dir", required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--owner-pid", type=int)
    args = parser.parse_args()
    if args.action == "start":
        start(os.path.abspath(args.dir), args.port or free_port(), args.owner_pid)
    elif args.action == "restart":
        restart(os.path.abspath(args.dir))
    elif args.action == "up":
        up(os.path.abspath(args.dir))
    elif args.action == "down":
        down(os.path.abspath(args.dir))
    else:
        stop(os.path.abspath(args.dir))


if __name__ == "__main__":
    main()
