#!/usr/bin/env python3
"""CPU per thread and bytes read/written by a running process over an interval, from /proc.

Usage: python3 tools/bench/serve_threads.py PID [SECONDS]   (default 8 s)

Run it against `leadledger serve` while wrk loads it (docs/BENCHMARKS.md, step 3): it shows which thread is busy
(the group-commit writer, the request threads, the NIO event loops, the projector lane) and how many bytes the
process handed to the kernel (`wchar`: WAL frames, checkpoints, read models, sockets).
"""
import os
import sys
import time


def threads(pid):
    out = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/comm") as f:
                name = f.read().strip()
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            out[tid] = (name, int(fields[11]), int(fields[12]))
        except OSError:
            pass
    return out


def io(pid):
    with open(f"/proc/{pid}/io") as f:
        return {key: int(value) for key, value in (line.split(": ") for line in f)}


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    pid, seconds = sys.argv[1], float(sys.argv[2]) if len(sys.argv) > 2 else 8.0
    ticks = os.sysconf("SC_CLK_TCK")
    before, io_before = threads(pid), io(pid)
    time.sleep(seconds)
    after, io_after = threads(pid), io(pid)

    def busy(tid):
        _, user, system = after[tid]
        _, user0, system0 = before.get(tid, ("", 0, 0))
        return (user - user0) / ticks / seconds, (system - system0) / ticks / seconds

    print(f"thread CPU over {seconds:g} s (share of one core)")
    for tid in sorted(after, key=lambda t: -sum(busy(t))):
        user, system = busy(tid)
        print(f"  {tid:>8} {after[tid][0]:<20} user {100 * user:5.1f} %  system {100 * system:5.1f} %")
    for key in ("rchar", "wchar", "read_bytes", "write_bytes"):
        print(f"{key}: {(io_after[key] - io_before[key]) / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
