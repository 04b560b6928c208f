#!/usr/bin/env python3
"""Checks tools/grafana: the dashboard JSON, the Prometheus config and the alerting rules.

Python 3 standard library only. PyYAML, when installed, adds the checks of the two YAML files (skipped with a note
otherwise); the `promql_parser` package, when installed, adds a real PromQL parse of every expression; `promtool`,
when on PATH, runs `promtool check config` and `promtool check rules`.

    python3 tools/grafana/check_grafana.py            # exit 0 when everything passes, 1 otherwise

What it checks:
  - dashboard: uid, schemaVersion >= 36, refresh, time range; a Prometheus datasource template variable (or
    __inputs entry) that every panel, target and annotation refers to by name, never a hard-coded uid; unique
    integer panel ids, rows included; only core panel types; every panel has a datasource and targets with an
    expression and a unique refId; grid positions inside 24 columns and not overlapping;
  - every expression (panels, annotations, rules): the leadledger_* metrics it names are the exported ones (the
    list below; _bucket/_sum/_count only on histograms), label matchers and by() labels exist on those metrics
    and enumerated label values are real ones, rate()/irate()/increase() only over counters and histogram series,
    histogram_quantile() over a rate of _bucket summed by (le, ...), no metric besides leadledger_* and `up`;
  - prometheus.yml: scrape interval, the two jobs and their targets, rule_files present on disk;
  - the rules file: groups, alert names, expressions, `for` durations, labels and annotations.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DASHBOARD = HERE / "leadledger.json"
PROMETHEUS = HERE / "prometheus.yml"
RULES = HERE / "leadledger.rules.yml"

ANY = None  # a label whose values are not an enumerated set

# What serve and react export: name -> (type, {label: allowed values or ANY}). Histograms are listed by base name.
SERVE = {
    "leadledger_http_requests_total": ("counter", {"route": ANY, "method": ANY, "status": ANY}),
    "leadledger_http_request_duration_seconds": ("histogram", {"route": ANY}),
    "leadledger_ingest_duration_seconds": ("histogram", {}),
    "leadledger_leads_received_total": (
        "counter",
        {"outcome": {"created", "spam", "idempotent_replay", "double_submission"}},
    ),
    "leadledger_events_appended_total": ("counter", {}),
    "leadledger_group_commit_batch_leads": ("histogram", {}),
    "leadledger_group_commit_queue_leads": ("gauge", {}),
    "leadledger_queue_leads": ("gauge", {"state": {"pending", "in_flight", "synced", "dead", "spam"}}),
    "leadledger_oldest_pending_age_seconds": ("gauge", {}),
    "leadledger_log_received_leads": ("gauge", {}),
    "leadledger_conservation_ok": ("gauge", {}),
    "leadledger_log_last_seq": ("gauge", {}),
    "leadledger_projection_lag_events": ("gauge", {"projection": ANY}),
    "leadledger_metrics_sample_ok": ("gauge", {}),
    "leadledger_process_uptime_seconds": ("gauge", {}),
    "leadledger_process_resident_memory_bytes": ("gauge", {}),
    "leadledger_disk_free_bytes": ("gauge", {}),
}
# A sync outcome is "succeeded" or a SyncFailed error class; the event's schema declares the classes once.
SYNC_FAILED_SCHEMA = HERE.parent.parent / "schemas" / "events" / "SyncFailed.v1.schema.json"
ERROR_CLASSES = set(json.loads(SYNC_FAILED_SCHEMA.read_text())["properties"]["error_class"]["enum"])
REACT = {
    "leadledger_sync_outcomes_total": ("counter", {"outcome": {"succeeded", *ERROR_CLASSES}}),
    "leadledger_crm_request_duration_seconds": (
        "histogram",
        {"operation": {"create", "search", "probe", "notes", "token"}},
    ),
    "leadledger_crm_circuit_state": ("gauge", {}),
    "leadledger_alerts_raised_total": ("counter", {"kind": ANY}),
    "leadledger_alerts_delivered_total": ("counter", {"outcome": {"sent", "suppressed", "undeliverable"}}),
    "leadledger_reactor_passes_total": ("counter", {}),
}
METRICS = {**SERVE, **REACT}
HISTOGRAM_SUFFIXES = ("_bucket", "_sum", "_count")
TARGET_LABELS = {"instance", "job"}  # added by Prometheus to every scraped series
JOBS = {"leadledger-serve": "127.0.0.1:8080", "leadledger-react": "127.0.0.1:9464"}

CORE_PANELS = {"row", "stat", "timeseries", "gauge", "table", "bargauge"}
GRAFANA_VARIABLES = {
    "$__rate_interval": "1m", "${__rate_interval}": "1m", "$__range": "1d", "${__range}": "1d",
    "$__interval": "1m", "${__interval}": "1m",
}
PROMQL_KEYWORDS = {
    "by", "without", "on", "ignoring", "group_left", "group_right", "offset", "bool", "and", "or", "unless",
    "inf", "nan", "atan2",
}
DURATION = re.compile(r"^([0-9]+(ms|s|m|h|d|w|y))+$")

errors: list[str] = []
notes: list[str] = []


def error(where: str, message: str) -> None:
    errors.append(f"{where}: {message}")


# ------------------------------------------------------------------------------------------------ expressions


def substitute(expr: str) -> str:
    for variable, value in sorted(GRAFANA_VARIABLES.items(), key=lambda item: -len(item[0])):
        expr = expr.replace(variable, value)
    return expr


def resolve(name: str) -> tuple[str, str, dict] | None:
    """(base name, series kind, labels) for an exported series name, None for an unknown one."""
    if name in METRICS:
        kind, labels = METRICS[name]
        return (name, kind, labels) if kind != "histogram" else None  # a bare histogram name has no series
    for suffix in HISTOGRAM_SUFFIXES:
        base = name[: -len(suffix)]
        if name.endswith(suffix) and METRICS.get(base, ("",))[0] == "histogram":
            labels = dict(METRICS[base][1])
            if suffix == "_bucket":
                labels["le"] = ANY
            return (base, "histogram" + suffix, labels)
    return None


def closing(text: str, open_index: int) -> int:
    """Index of the parenthesis closing the one at open_index (len(text) when unbalanced)."""
    depth = 0
    for index in range(open_index, len(text)):
        if text[index] == "(":
            depth += 1
        elif text[index] == ")":
            depth -= 1
            if depth == 0:
                return index
    return len(text)


def selector_names(expr: str) -> list[str]:
    """Every metric name an expression selects: identifiers that are not functions, keywords, labels or numbers."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)  # string literals
    text = re.sub(r"\{[^}]*\}", "", text)  # label matchers
    text = re.sub(r"\[[^\]]*\]", "", text)  # range and subquery windows
    text = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", text)
    text = re.sub(r"\boffset\s+-?[0-9a-z]+", " ", text)
    names = []
    for match in re.finditer(r"(?<![\w.])[a-zA-Z_:][a-zA-Z0-9_:]*", text):
        name = match.group(0)
        following = text[match.end():].lstrip()
        if following.startswith("(") or name.lower() in PROMQL_KEYWORDS:
            continue
        names.append(name)
    return names


def check_expression(where: str, raw: str) -> None:
    if not raw or not raw.strip():
        error(where, "empty expression")
        return
    expr = substitute(raw)
    if "$" in expr:
        error(where, f"unknown Grafana variable in {raw!r}")
    if expr.count("(") != expr.count(")") or expr.count("{") != expr.count("}") or expr.count("[") != expr.count("]"):
        error(where, f"unbalanced brackets in {raw!r}")

    # Metric names: leadledger_* must be exported ones; nothing else but `up`.
    used: dict[str, tuple[str, str, dict]] = {}
    reported: set[str] = set()
    for name in selector_names(expr):
        if name == "up":
            used[name] = ("up", "gauge", {})
            continue
        if not name.startswith("leadledger_"):
            error(where, f"metric {name!r} is neither leadledger_* nor up")
            continue
        resolved = resolve(name)
        if resolved is None:
            if name not in reported:
                error(where, f"unknown metric {name!r}")
            reported.add(name)
        else:
            used[name] = resolved
    for name in re.findall(r"\bleadledger_[a-zA-Z0-9_]+", expr):  # belt and braces: any leadledger_ token at all
        if resolve(name) is None and name not in reported:
            error(where, f"unknown metric {name!r}")
            reported.add(name)

    # Label matchers on each selector: the label exists on the metric, an enumerated value is a real one.
    for match in re.finditer(r"\b([a-zA-Z_:][a-zA-Z0-9_:]*)\s*\{([^}]*)\}", expr):
        name, body = match.group(1), match.group(2)
        if name not in used:
            continue
        labels = used[name][2]
        for label, op, value in re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"([^"]*)"', body):
            if name == "up":
                if label == "job" and op in ("=", "=~"):
                    for job in value.split("|") if op == "=~" else [value]:
                        if job not in JOBS:
                            error(where, f"up{{job}} names {job!r}, not one of the scrape jobs {sorted(JOBS)}")
                continue
            if label in TARGET_LABELS:
                continue
            if label not in labels:
                error(where, f"{name} has no label {label!r}")
                continue
            allowed = labels[label]
            if allowed is ANY:
                continue
            if op in ("=", "!="):
                values = [value]
            elif re.fullmatch(r"[a-zA-Z0-9_]+(\|[a-zA-Z0-9_]+)*", value):
                values = value.split("|")
            else:
                values = []  # a real regex: not checked
            for one in values:
                if one not in allowed:
                    error(where, f'{name}{{{label}="{one}"}}: {one!r} is not one of {sorted(allowed)}')

    # by()/without() labels exist on some metric of the expression.
    known_labels = set(TARGET_LABELS)
    for _, _, labels in used.values():
        known_labels |= set(labels)
    for clause in re.findall(r"\b(?:by|without)\s*\(([^)]*)\)", expr):
        for label in filter(None, (part.strip() for part in clause.split(","))):
            if label not in known_labels:
                error(where, f"grouping label {label!r} is on none of {sorted(used)}")

    # rate()/irate()/increase() take counters (or histogram series), never gauges.
    for function, name in re.findall(r"\b(rate|irate|increase)\s*\(\s*([a-zA-Z_:][a-zA-Z0-9_:]*)", expr):
        kind = used.get(name, ("", "", {}))[1]
        if kind and kind not in ("counter", "histogram_bucket", "histogram_sum", "histogram_count"):
            error(where, f"{function}() over {name}, a {kind}: use it directly (or deriv/delta)")

    # histogram_quantile(q, sum by (le, ...) (rate(x_bucket[...]))).
    for match in re.finditer(r"\bhistogram_quantile\s*\(", expr):
        inner = expr[match.end() - 1: closing(expr, match.end() - 1) + 1]
        if "_bucket" not in inner:
            error(where, "histogram_quantile() over no _bucket series")
        if not re.search(r"\b(rate|irate|increase)\s*\(", inner):
            error(where, "histogram_quantile() over buckets that are not rate()d")
        by = re.search(r"\bby\s*\(([^)]*)\)", inner)
        without = re.search(r"\bwithout\s*\(([^)]*)\)", inner)
        if by:
            if "le" not in [part.strip() for part in by.group(1).split(",")]:
                error(where, "histogram_quantile(): the sum must keep le (sum by (le, ...))")
        elif without:
            if "le" in [part.strip() for part in without.group(1).split(",")]:
                error(where, "histogram_quantile(): the sum drops le")
        else:
            error(where, "histogram_quantile() without sum by (le, ...): quantiles per instance/job only")

    if promql_parser is not None:
        try:
            promql_parser.parse(expr)
        except Exception as failure:  # noqa: BLE001 - the parser raises its own exception types
            error(where, f"PromQL does not parse: {failure} in {expr!r}")


# ------------------------------------------------------------------------------------------------ dashboard


def all_panels(panels: list) -> list:
    result = []
    for panel in panels:
        result.append(panel)
        result.extend(all_panels(panel.get("panels", [])))  # a collapsed row keeps its panels inside
    return result


def check_dashboard() -> int:
    try:
        dashboard = json.loads(DASHBOARD.read_text())
    except (OSError, ValueError) as failure:
        error(DASHBOARD.name, f"cannot load: {failure}")
        return 0
    where = DASHBOARD.name
    if dashboard.get("uid") != "leadledger":
        error(where, f"uid is {dashboard.get('uid')!r}, not 'leadledger'")
    if not isinstance(dashboard.get("schemaVersion"), int) or dashboard["schemaVersion"] < 36:
        error(where, f"schemaVersion {dashboard.get('schemaVersion')!r} < 36")
    if dashboard.get("refresh") != "30s":
        error(where, f"refresh is {dashboard.get('refresh')!r}, not 30s")
    if dashboard.get("time") != {"from": "now-24h", "to": "now"}:
        error(where, f"time range is {dashboard.get('time')!r}, not the last 24 hours")
    if dashboard.get("id") is not None:
        error(where, "id must be null in a dashboard meant for import")
    if not dashboard.get("title"):
        error(where, "no title")

    # The datasource: a template variable (or import input) named in every reference.
    datasource_names = {
        variable.get("name")
        for variable in dashboard.get("templating", {}).get("list", [])
        if variable.get("type") == "datasource" and variable.get("query") == "prometheus"
    } | {
        item.get("name")
        for item in dashboard.get("__inputs", [])
        if item.get("type") == "datasource" and item.get("pluginId") == "prometheus"
    }
    if not datasource_names:
        error(where, "no Prometheus datasource template variable or __inputs entry")
    allowed_uids = {f"${{{name}}}" for name in datasource_names} | {f"${name}" for name in datasource_names}

    def check_datasource(place: str, datasource, required: bool = True) -> None:
        if datasource is None:
            if required:
                error(place, "no datasource")
            return
        if not isinstance(datasource, dict):
            error(place, f"datasource {datasource!r} is not a {{type, uid}} reference")
        elif datasource.get("type") != "prometheus" or datasource.get("uid") not in allowed_uids:
            error(place, f"datasource {datasource!r} is not the Prometheus variable ({sorted(allowed_uids)})")

    panels = all_panels(dashboard.get("panels", []))
    if not panels:
        error(where, "no panels")
    seen_ids: dict[int, str] = {}
    expressions = 0
    for panel in panels:
        title = panel.get("title", "?")
        place = f"{where}: panel {panel.get('id')!r} {title!r}"
        pid = panel.get("id")
        if not isinstance(pid, int) or isinstance(pid, bool):
            error(place, "id is not an integer")
        elif pid in seen_ids:
            error(place, f"id {pid} already used by {seen_ids[pid]!r}")
        else:
            seen_ids[pid] = title
        kind = panel.get("type")
        if kind not in CORE_PANELS:
            error(place, f"panel type {kind!r} is not one of the core types {sorted(CORE_PANELS)}")
        grid = panel.get("gridPos", {})
        if not all(isinstance(grid.get(key), int) for key in "hwxy"):
            error(place, f"gridPos {grid!r} incomplete")
        elif grid["x"] < 0 or grid["w"] < 1 or grid["x"] + grid["w"] > 24:
            error(place, f"gridPos {grid!r} outside the 24 columns")
        if kind == "row":
            continue
        if not panel.get("title"):
            error(place, "no title")
        check_datasource(place, panel.get("datasource"))
        targets = panel.get("targets") or []
        if not targets:
            error(place, "no targets")
        refs = set()
        for target in targets:
            ref = target.get("refId")
            if not ref or ref in refs:
                error(place, f"missing or repeated refId {ref!r}")
            refs.add(ref)
            check_datasource(f"{place} target {ref}", target.get("datasource"), required=False)
            check_expression(f"{place} target {ref}", target.get("expr", ""))
            expressions += 1

    # No two panels on the same cells (top level, as laid out when no row is collapsed).
    cells: dict[tuple[int, int], str] = {}
    for panel in dashboard.get("panels", []):
        grid = panel.get("gridPos", {})
        if not all(isinstance(grid.get(key), int) for key in "hwxy"):
            continue
        for y in range(grid["y"], grid["y"] + grid["h"]):
            for x in range(grid["x"], grid["x"] + grid["w"]):
                if (x, y) in cells:
                    error(where, f"panel {panel.get('id')} overlaps panel {cells[(x, y)]} at x={x} y={y}")
                    break
                cells[(x, y)] = str(panel.get("id"))
            else:
                continue
            break

    for annotation in dashboard.get("annotations", {}).get("list", []):
        if annotation.get("builtIn"):
            continue
        place = f"{where}: annotation {annotation.get('name')!r}"
        check_datasource(place, annotation.get("datasource"))
        check_expression(place, annotation.get("expr", ""))
        expressions += 1

    rows = sum(1 for panel in panels if panel.get("type") == "row")
    print(f"dashboard: {len(panels) - rows} panels in {rows} rows, {expressions} expressions")
    return expressions


# ------------------------------------------------------------------------------------------------ YAML


def check_prometheus_config(yaml) -> None:
    where = PROMETHEUS.name
    try:
        config = yaml.safe_load(PROMETHEUS.read_text())
    except (OSError, yaml.YAMLError) as failure:
        error(where, f"cannot load: {failure}")
        return
    if not isinstance(config, dict):
        error(where, "not a mapping")
        return
    interval = (config.get("global") or {}).get("scrape_interval")
    if interval != "15s":
        error(where, f"global.scrape_interval is {interval!r}, not 15s")
    for key in ("scrape_interval", "evaluation_interval", "scrape_timeout"):
        value = (config.get("global") or {}).get(key)
        if value is not None and not DURATION.match(str(value)):
            error(where, f"global.{key} {value!r} is not a duration")
    rule_files = config.get("rule_files") or []
    if not rule_files:
        error(where, "no rule_files")
    for rule_file in rule_files:
        path = PROMETHEUS.parent / rule_file  # Prometheus resolves them against the config file's directory
        if not path.is_file():
            error(where, f"rule file {rule_file!r} not found next to the config")
    if RULES.name not in [Path(str(item)).name for item in rule_files]:
        error(where, f"rule_files does not load {RULES.name}")
    jobs = {}
    for scrape in config.get("scrape_configs") or []:
        name = scrape.get("job_name")
        if name in jobs:
            error(where, f"job {name!r} twice")
        targets = [target for static in scrape.get("static_configs") or [] for target in static.get("targets") or []]
        jobs[name] = targets
        if scrape.get("metrics_path", "/metrics") != "/metrics":
            error(where, f"job {name!r} scrapes {scrape.get('metrics_path')!r}, not /metrics")
        for target in targets:
            if not re.fullmatch(r"[^\s:/]+:[0-9]{1,5}", str(target)):
                error(where, f"job {name!r}: target {target!r} is not host:port")
    for job, target in JOBS.items():
        if job not in jobs:
            error(where, f"no scrape job {job!r}")
        elif target not in jobs[job]:
            error(where, f"job {job!r} does not scrape {target}")
    print(f"prometheus.yml: jobs {sorted(jobs)}, rule_files {rule_files}")


def check_rules(yaml) -> int:
    where = RULES.name
    try:
        document = yaml.safe_load(RULES.read_text())
    except (OSError, yaml.YAMLError) as failure:
        error(where, f"cannot load: {failure}")
        return 0
    groups = document.get("groups") if isinstance(document, dict) else None
    if not groups:
        error(where, "no groups")
        return 0
    count = 0
    group_names = set()
    for group in groups:
        gname = group.get("name")
        if not gname or gname in group_names:
            error(where, f"group name {gname!r} missing or repeated")
        group_names.add(gname)
        if "interval" in group and not DURATION.match(str(group["interval"])):
            error(where, f"group {gname!r}: interval {group['interval']!r} is not a duration")
        alerts = set()
        for rule in group.get("rules") or []:
            allowed_keys = {"alert", "record", "expr", "for", "keep_firing_for", "labels", "annotations"}
            if set(rule) - allowed_keys:
                error(where, f"rule {rule.get('alert') or rule.get('record')!r}: unknown keys {set(rule) - allowed_keys}")
            name = rule.get("alert") or rule.get("record")
            place = f"{where}: {name!r}"
            if bool(rule.get("alert")) == bool(rule.get("record")):
                error(place, "needs exactly one of alert or record")
            if rule.get("alert"):
                if not re.fullmatch(r"[a-zA-Z_][a-zA-Z0-9_]*", rule["alert"]):
                    error(place, "alert name is not a valid identifier")
                if rule["alert"] in alerts:
                    error(place, "alert name repeated in the group")
                alerts.add(rule["alert"])
            for key in ("for", "keep_firing_for"):
                if key in rule and not DURATION.match(str(rule[key])):
                    error(place, f"{key}: {rule[key]!r} is not a duration")
            for key in ("labels", "annotations"):
                value = rule.get(key, {})
                if not isinstance(value, dict) or not all(
                    isinstance(k, str) and isinstance(v, str) for k, v in value.items()
                ):
                    error(place, f"{key} must map strings to strings")
            if rule.get("alert") and "severity" not in (rule.get("labels") or {}):
                error(place, "no severity label")
            if not isinstance(rule.get("expr"), str):
                error(place, "expr is not a string")
                continue
            if "$__" in rule["expr"]:
                error(place, "a Grafana variable in a Prometheus rule")
            check_expression(place, rule["expr"])
            count += 1
    print(f"{RULES.name}: {count} rules in {len(groups)} group(s)")
    return count


# ------------------------------------------------------------------------------------------------ main


def run_promtool() -> None:
    promtool = shutil.which("promtool")
    if not promtool:
        notes.append("promtool not on PATH: skipped `promtool check config` / `check rules`")
        return
    for arguments in (["check", "config", str(PROMETHEUS)], ["check", "rules", str(RULES)]):
        result = subprocess.run([promtool, *arguments], capture_output=True, text=True)
        print(f"promtool {' '.join(arguments[:2])}: {'ok' if result.returncode == 0 else 'FAILED'}")
        if result.returncode != 0:
            error("promtool", (result.stdout + result.stderr).strip())


try:
    import promql_parser  # type: ignore[import-not-found]
except ImportError:
    promql_parser = None


def main() -> int:
    if promql_parser is None:
        notes.append("promql_parser not installed: PromQL checked by the rules above, not by a real parser")
    check_dashboard()
    try:
        import yaml  # type: ignore[import-untyped]
    except ImportError:
        notes.append("PyYAML not installed: skipped prometheus.yml and leadledger.rules.yml")
    else:
        check_prometheus_config(yaml)
        check_rules(yaml)
    run_promtool()
    for note in notes:
        print(f"note: {note}")
    for message in errors:
        print(f"FAIL {message}")
    print(f"{'FAILED' if errors else 'OK'}: {len(errors)} problem(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
