#!/usr/bin/env python3
"""Validate LeadLedger event rows (JSON Lines) against the JSON Schemas in schemas/.

Usage:
    python3 tools/validate_events.py [--schemas DIR] [--expect-invalid] FILE.jsonl

Each non-blank line of FILE.jsonl is one event row, shaped as schemas/event-row.schema.json describes: seq, stream,
version, type, schema_version, recorded_at, prev_hash, hash and `data`, the event body as a JSON object. The row is
validated against event-row.schema.json and `data` against schemas/events/<type>.v<schema_version>.schema.json
(JSON Schema draft 2020-12, format checking off).

Besides the standard keywords, the schemas carry `x-maxUtf8Bytes`, the exact Swift limit (FieldLimits) in UTF-8
bytes; standard `maxLength` counts characters, so it is looser for non-ASCII text. This tool enforces both.

Exit status:
    0  every line is valid (with --expect-invalid: every line is INVALID)
    1  some line is valid when it should not be, or invalid when it should be
    2  usage error: bad arguments, unreadable file or schema, a line that is not JSON, jsonschema not installed

--expect-invalid exists to prove that the schemas reject malformed events: feed it rows that are each broken in one
way, and it succeeds only if every one of them is rejected.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import NoReturn

USAGE_ERROR = 2
MESSAGE_LIMIT = 300


def fail_usage(message: str) -> NoReturn:
    print(f"validate_events: {message}", file=sys.stderr)
    sys.exit(USAGE_ERROR)


try:
    import jsonschema
    from jsonschema import Draft202012Validator, ValidationError
    from jsonschema.validators import extend
except ImportError:  # pragma: no cover - environment problem, reported clearly
    print(
        "validate_events: the Python package `jsonschema` is not installed "
        "(`python3 -m pip install jsonschema`, or `make setup`)",
        file=sys.stderr,
    )
    sys.exit(USAGE_ERROR)


def max_utf8_bytes(validator, limit, instance, schema):
    """`x-maxUtf8Bytes`: a string's UTF-8 encoding is at most `limit` bytes (Swift's FieldLimits are in bytes)."""
    if validator.is_type(instance, "string"):
        size = len(instance.encode("utf-8", errors="surrogatepass"))
        if size > limit:
            yield ValidationError(f"{size} UTF-8 bytes is longer than the limit of {limit} bytes")


LedgerValidator = extend(Draft202012Validator, {"x-maxUtf8Bytes": max_utf8_bytes})


def default_schemas_dir() -> str:
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "schemas")


class Schemas:
    """Loads and checks schemas once, on first use."""

    def __init__(self, directory: str):
        self.directory = directory
        self.row = self._validator(os.path.join(directory, "event-row.schema.json"))
        self._bodies: dict[tuple[str, int], object] = {}

    def _validator(self, path: str):
        try:
            with open(path, encoding="utf-8") as handle:
                schema = json.load(handle)
        except OSError as error:
            fail_usage(f"cannot read schema {path}: {error.strerror}")
        except json.JSONDecodeError as error:
            fail_usage(f"schema {path} is not JSON: {error}")
        try:
            Draft202012Validator.check_schema(schema)
        except jsonschema.SchemaError as error:
            fail_usage(f"schema {path} is not a valid draft 2020-12 schema: {error.message}")
        # No format_checker: `format` is an annotation only, as agreed for these schemas.
        return LedgerValidator(schema)

    def body(self, event_type: str, version: int):
        """The validator for one type and schema version, or None when no such schema file exists."""
        key = (event_type, version)
        if key not in self._bodies:
            path = os.path.join(self.directory, "events", f"{event_type}.v{version}.schema.json")
            self._bodies[key] = self._validator(path) if os.path.isfile(path) else None
        return self._bodies[key]


def describe(error: ValidationError, prefix: str) -> str:
    """`data.utm.source: message`, shortened: a message repeats the offending value, which can be 64 KiB long."""
    parts = [prefix] if prefix else []
    for part in error.absolute_path:
        if isinstance(part, int) and parts:
            parts[-1] += f"[{part}]"
        else:
            parts.append(str(part))
    message = error.message
    if len(message) > MESSAGE_LIMIT:
        message = message[:MESSAGE_LIMIT] + "…"
    if error.validator is None:
        # A `false` subschema (a field forbidden under a condition): jsonschema names neither the field nor the
        # rule, so point at the rule in the schema.
        message += " (forbidden by the schema at /" + "/".join(map(str, error.absolute_schema_path)) + ")"
    return f"{'.'.join(parts) or '(row)'}: {message}"


def problems(row: object, schemas: Schemas) -> list[str]:
    """Every reason this row is invalid; empty when it is valid."""
    found = [describe(e, "") for e in sorted(schemas.row.iter_errors(row), key=lambda e: list(map(str, e.path)))]
    if not isinstance(row, dict):
        return found
    event_type, version, data = row.get("type"), row.get("schema_version"), row.get("data")
    if isinstance(event_type, str) and isinstance(version, int) and not isinstance(version, bool):
        body = schemas.body(event_type, version)
        if body is None:
            found.append(f"type: no schema for {event_type} version {version} (events/{event_type}.v{version}.schema.json)")
        elif isinstance(data, dict):
            found += [describe(e, "data") for e in sorted(body.iter_errors(data), key=lambda e: list(map(str, e.path)))]
    return found


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="validate_events.py",
        description="Validate LeadLedger event rows (JSON Lines) against schemas/.",
    )
    parser.add_argument("file", metavar="FILE.jsonl", help="one event row per line")
    parser.add_argument("--schemas", metavar="DIR", default=default_schemas_dir(), help="the schemas directory")
    parser.add_argument(
        "--expect-invalid",
        action="store_true",
        help="succeed only if EVERY line fails validation (proves the schemas reject malformed events)",
    )
    arguments = parser.parse_args(argv)  # exits 2 on usage errors

    if not os.path.isdir(arguments.schemas):
        fail_usage(f"schemas directory {arguments.schemas} does not exist")
    schemas = Schemas(arguments.schemas)

    try:
        with open(arguments.file, encoding="utf-8") as handle:
            lines = handle.read().splitlines()
    except OSError as error:
        fail_usage(f"cannot read {arguments.file}: {error.strerror}")
    except UnicodeDecodeError as error:
        fail_usage(f"{arguments.file} is not UTF-8: {error}")

    passed = failed = 0
    unexpected: list[str] = []  # lines whose outcome is not the one asked for
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as error:
            fail_usage(f"line {number} is not JSON: {error}")
        seq = row.get("seq", "?") if isinstance(row, dict) else "?"
        found = problems(row, schemas)
        if found:
            failed += 1
            report = f"line {number} seq {seq}: " + "; ".join(found)
            if arguments.expect_invalid:
                print(f"rejected as expected: {report}")
            else:
                unexpected.append(report)
        else:
            passed += 1
            if arguments.expect_invalid:
                unexpected.append(f"line {number} seq {seq}: valid, but every line was expected to be invalid")

    for report in unexpected:
        print(report)
    print(f"{passed} passed, {failed} failed" + (" (--expect-invalid)" if arguments.expect_invalid else ""))
    if passed + failed == 0 and arguments.expect_invalid:
        print("no events: --expect-invalid needs at least one line")
        return 1
    return 1 if unexpected else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
