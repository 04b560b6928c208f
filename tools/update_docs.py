#!/usr/bin/env python3
"""Rewrites the generated parts of docs/OPERATIONS.md: the settings reference, printed by the binary itself
(`leadledger check-config --reference`, from the code's own list). A test fails when the file is stale.

Usage: tools/update_docs.py [BINARY]   (default .build/debug/leadledger; `make docs` builds it first)
"""
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BINARY = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, ".build/debug/leadledger")
DOC = os.path.join(ROOT, "docs/OPERATIONS.md")
BEGIN = "<!-- settings-reference:begin (make docs) -->"
END = "<!-- settings-reference:end -->"


def main() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEADLEDGER_")}
    reference = subprocess.run([BINARY, "check-config", "--reference"], env=env, check=True, capture_output=True,
                               text=True).stdout
    text = open(DOC, encoding="utf-8").read()
    start, stop = text.index(BEGIN) + len(BEGIN), text.index(END)
    updated = text[:start] + reference + text[stop:]
    if updated != text:
        open(DOC, "w", encoding="utf-8").write(updated)
        print("docs/OPERATIONS.md: settings reference updated")


if __name__ == "__main__":
    main()
