#!/usr/bin/env python3
"""Checks docs/configuration.md against the programs' own option tables.

Every program (and samlad-admin subcommand) prints its table with --help.
For each of them the docs must have a section headed with the command in
backquotes and a table with exactly the same options, each with the same
type, default and environment variable. Speaks TAP.
"""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from tap import done, ok  # noqa: E402

SRC = os.environ["SAMLAD_SOURCE_DIR"]
BUILD = os.environ["SAMLAD_BUILD_DIR"]

# Every command whose options the docs must list: (heading, argv).
COMMANDS = [
    ("samlad-collector", ["collector/samlad-collector"]),
    ("samlad-aggregator", ["aggregator/samlad-aggregator"]),
    ("samlad-push", ["tools/samlad-push"]),
    ("samlad-admin", ["tools/samlad-admin"]),
    ("samlad-admin migrate", ["tools/samlad-admin", "migrate"]),
    ("samlad-admin catalogue import", ["tools/samlad-admin", "catalogue", "import"]),
    ("samlad-admin token create", ["tools/samlad-admin", "token", "create"]),
    ("samlad-admin token revoke", ["tools/samlad-admin", "token", "revoke"]),
    ("samlad-admin token list", ["tools/samlad-admin", "token", "list"]),
    ("samlad-admin demo-data", ["tools/samlad-admin", "demo-data"]),
    ("samlad-admin demo-load", ["tools/samlad-admin", "demo-load"]),
    ("samlad-admin report", ["tools/samlad-admin", "report"]),
    ("samlad-admin lock", ["tools/samlad-admin", "lock"]),
    ("samlad-admin audit", ["tools/samlad-admin", "audit"]),
    ("samlad-admin remind", ["tools/samlad-admin", "remind"]),
]

OPTION = re.compile(r"^  --([a-z0-9-]+)(?: VALUE)?(?:\s+\((\w+))?")
DEFAULT = re.compile(r"^\s+default: (.*); environment: (.*)$")
ROW = re.compile(r"^\|\s*`--([a-z0-9-]+)`\s*\|([^|]*)\|([^|]*)\|([^|]*)\|")


def clean(cell):
    cell = cell.strip().strip("`")
    return "none" if cell in ("", "—", "-") else cell


def from_help(argv):
    """The options of one command as {name: (type, default, env)}."""
    path = os.path.join(BUILD, argv[0])
    run = subprocess.run([path] + argv[1:] + ["--help"], capture_output=True, text=True)
    options, name = {}, None
    for line in run.stdout.splitlines():
        m = OPTION.match(line)
        if m:
            name = m.group(1)
            options[name] = [m.group(2) or "flag", None, None]
            continue
        m = DEFAULT.match(line)
        if m and name:
            default = m.group(1).replace(SRC, "<source>")
            options[name][1:] = [default, m.group(2)]
    options.pop("help", None)
    return run.returncode, {k: tuple(v) for k, v in options.items()}


def from_docs():
    """The documented options as {heading: {name: (type, default, env)}}."""
    sections, current = {}, None
    with open(os.path.join(SRC, "docs", "configuration.md"), encoding="utf-8") as f:
        for line in f:
            m = re.match(r"^## `([^`]+)`", line)
            if m:
                current = sections.setdefault(m.group(1), {})
                continue
            m = ROW.match(line)
            if m and current is not None:
                current[m.group(1)] = (clean(m.group(2)), clean(m.group(3)), clean(m.group(4)))
    return sections


def main():
    docs = from_docs()
    for heading, argv in COMMANDS:
        if not os.path.exists(os.path.join(BUILD, argv[0])):
            ok(False, f"{heading}: the program is built")
            continue
        status, actual = from_help(argv)
        ok(status == 0, f"{heading} --help exits 0")
        documented = docs.get(heading)
        ok(documented is not None, f"docs/configuration.md has a section for {heading}")
        if documented is None:
            continue
        ok(sorted(actual) == sorted(documented), f"{heading}: the same options are documented",
           f"program: {sorted(actual)}\ndocs:    {sorted(documented)}")
        for name, spec in sorted(actual.items()):
            if name in documented:
                ok(documented[name] == spec, f"{heading} --{name}: type, default and environment match",
                   f"program: {spec}\ndocs:    {documented[name]}")
    extra = sorted(set(docs) - {h for h, _ in COMMANDS})
    ok(not extra, "the docs document no command that does not exist", f"extra: {extra}")
    return done()


if __name__ == "__main__":
    sys.exit(main())
