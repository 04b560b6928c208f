#!/usr/bin/env python3
"""Soak: `serve` under a steady open-loop load for a long time, with `react` draining to the fake AmoCRM.

  1. Closed loop for CALIBRATE_S seconds (32 requests in flight) measures the maximum rate of this machine and build.
  2. Open loop at half of it for the profile's duration (`leadledger-bench load --rate`): each request is due at its
     time whether or not earlier ones were answered, and latency counts from then, so stalls show.
  3. Every 10 s: answers by status, p50/p99/max, serve's RSS and open file descriptors.
Checks: every request acknowledged (no 5xx, no error, no overrun), every acknowledged lead in the log, and no growth
trend after a warm-up: RSS slope (least squares over the intervals after WARMUP_S) under MAX_RSS_SLOPE_KIB_MIN on a
long run (a short one: growth under MAX_SHORT_GROWTH_MIB), open descriptors in the last third of the run at most 5 above the first third's peak (connections closing may lower them). Prints the table and the verdict; --json writes the figures.

Usage: tools/chaos/soak.py [--bin .build/release] [--profile short|long] [--json FILE]
  short: 2 minutes (make soak)    long: 30 minutes (make soak PROFILE=long)
"""
import json
import subprocess
import tempfile

from cluster import Cluster, finish, parse_arguments, read_log

PROFILES = {"short": 120, "long": 1800}
CALIBRATE_S = 10
WARMUP_S = 30
# 100 KiB a minute would be 140 MiB a day: a leak an owner would meet as memory_high within days.
MAX_RSS_SLOPE_KIB_MIN = 100
# The page caches and pools fill for about two minutes (the 30-minute run: +1.3 MiB from 60 to 120 s, +0.5 MiB in the
# 28 minutes after), so a slope is only judged on runs of 10 minutes or more; a short run is a smoke check that RSS
# stays within a few MiB of where it was after the warm-up.
SLOPE_JUDGED_FROM_S = 600
MAX_SHORT_GROWTH_MIB = 8


def load(cluster: Cluster, arguments: list) -> list:
    command = [f"{cluster.binary_dir}/leadledger-bench", "load", "--url",
               f"http://127.0.0.1:{cluster.port}/api/leads", "--pid", str(cluster.serve.pid), *arguments]
    output = subprocess.run(command, capture_output=True, text=True, check=True, timeout=4000).stdout
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


def slope(points: list) -> float:
    """Least-squares slope of (x, y) points."""
    if len(points) < 2:
        return 0.0
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    denominator = sum((x - mean_x) ** 2 for x, _ in points)
    return sum((x - mean_x) * (y - mean_y) for x, y in points) / denominator if denominator else 0.0


def main() -> None:
    arguments = parse_arguments(__doc__, PROFILES, ".build/release", "short")
    seconds = PROFILES[arguments.profile]
    work = tempfile.mkdtemp(prefix="leadledger-soak-")
    cluster = Cluster(arguments.bin, work)
    failures = []
    try:
        cluster.start_serve()
        cluster.start_react()
        calibration = load(cluster, ["--seconds", str(CALIBRATE_S), "--connections", "32", "--every",
                                     str(CALIBRATE_S)])[-1]
        maximum = calibration["rps"]
        rate = round(maximum / 2)
        lines = load(cluster, ["--seconds", str(seconds), "--rate", str(rate), "--every", "10"])
        codes = cluster.stop()
        in_log = read_log(cluster.db, "SELECT count(*) FROM event WHERE type = 'LeadReceived'")[0][0]
    finally:
        cluster.close()

    intervals = [line for line in lines if line["kind"] == "interval"]
    total = lines[-1]
    steady = [line for line in intervals if line["t_s"] > WARMUP_S]
    rss_slope = slope([(line["t_s"] / 60, line["rss_kib"]) for line in steady])
    fds = [line["open_fds"] for line in steady]
    print(f"soak ({arguments.profile}): calibrated maximum {maximum:.0f} requests/s (closed loop, 32 in flight, "
          f"p99 {calibration['p99_ms']} ms); open loop at {rate}/s for {seconds} s")
    print("| t (s) | acknowledged | not acknowledged | p50 ms | p99 ms | max ms | RSS MiB | open fds | generator MiB |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for line in intervals:
        bad = line["refused"] + line["other_status"] + line["failed"] + line["overrun"]
        print(f"| {line['t_s']} | {line['acknowledged']} | {bad} | {line['p50_ms']} | {line['p99_ms']} | "
              f"{line['max_ms']} | {line['rss_kib'] / 1024:.1f} | {line['open_fds']} | "
              f"{line.get('generator_rss_kib', 0) / 1024:.0f} |")
    print(f"total: {total['acknowledged']} acknowledged, p50 {total['p50_ms']} ms, p99 {total['p99_ms']} ms, p99.9 "
          f"{total['p999_ms']} ms, max {total['max_ms']} ms; LeadReceived in the log: {in_log}; RSS slope after "
          f"{WARMUP_S} s: {rss_slope:.1f} KiB/min; open fds after warm-up {min(fds) if fds else '-'}.."
          f"{max(fds) if fds else '-'}")
    bad = total["refused"] + total["other_status"] + total["failed"] + total["overrun"]
    if bad:
        failures.append(f"{bad} requests not acknowledged")
    if in_log < total["acknowledged"]:
        failures.append(f"{total['acknowledged']} acknowledged but {in_log} in the log")
    if seconds >= SLOPE_JUDGED_FROM_S and rss_slope > MAX_RSS_SLOPE_KIB_MIN:
        failures.append(f"RSS grows {rss_slope:.0f} KiB/min (limit {MAX_RSS_SLOPE_KIB_MIN})")
    growth_mib = (steady[-1]["rss_kib"] - steady[0]["rss_kib"]) / 1024 if steady else 0
    if seconds < SLOPE_JUDGED_FROM_S and growth_mib > MAX_SHORT_GROWTH_MIB:
        failures.append(f"RSS grew {growth_mib:.1f} MiB after warm-up (limit {MAX_SHORT_GROWTH_MIB} in a short run)")
    third = max(1, len(fds) // 3)
    if fds and max(fds[-third:]) > max(fds[:third]) + 5:
        failures.append(f"open descriptors grow: {max(fds[:third])} early, {max(fds[-third:])} late")
    if any(code != 0 for code in codes):
        failures.append(f"a graceful stop exited with {codes}")
    figures = {"profile": arguments.profile, "calibration": calibration, "rate": rate, "intervals": intervals,
               "total": total, "in_log": in_log, "rss_slope_kib_min": rss_slope}
    finish(figures, failures, work, arguments.json)

if __name__ == "__main__":
    main()
