#!/usr/bin/env python3
"""The layers of docs/architecture.md against the sources' #include lines.

The section "## Layers" of docs/architecture.md holds a table with one row
per folder of production code: the folder, the folders whose headers it may
include (besides its own), and the headers it must never include (project
headers such as db.h, or system headers such as libpq-fe.h). This test reads
that table, finds which folder each project header lives in, and checks
every `#include` of every .c and .h file in those folders. It speaks TAP: one
line per folder, and a few about the table itself.
"""
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.environ.get("SAMLAD_SOURCE_DIR") or os.path.dirname(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^">]+)[">]')


def words(cell):
    """The names in a table cell: `a`, `b` or "nothing"."""
    return [w for w in re.findall(r"`([^`]+)`", cell)]


def read_rules(path):
    """{folder: (allowed folders, forbidden headers)} from the Layers table."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    section = re.search(r"^## Layers\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    if not section:
        return None
    rules = {}
    for line in section.group(1).splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 3 or not cells[0].startswith("`"):
            continue
        folder = words(cells[0])[0].rstrip("/")
        allowed = {w.rstrip("/") for w in words(cells[1])}
        rules[folder] = (allowed, set(words(cells[2])))
    return rules


def sources(folder):
    """Every .c and .h file below a folder, sorted, relative to ROOT."""
    out = []
    for base, _, names in os.walk(os.path.join(ROOT, folder)):
        out += [os.path.join(base, n) for n in names if n.endswith((".c", ".h"))]
    return sorted(os.path.relpath(p, ROOT) for p in out)


def header_homes(rules):
    """{header name: folder}; a name found in two folders is an error."""
    homes, clashes = {}, []
    for folder in rules:
        for path in sources(folder):
            if path.endswith(".h"):
                name = os.path.basename(path)
                if name in homes and homes[name] != folder:
                    clashes.append(f"{name} in {homes[name]}/ and {folder}/")
                homes[name] = folder
    return homes, clashes


def includes(path):
    """(kind, name) of each #include line: kind '"' or '<'."""
    with open(os.path.join(ROOT, path), encoding="utf-8") as f:
        return [(m.group(1), m.group(2)) for m in map(INCLUDE.match, f) if m]


def violations(folder, rules, homes):
    """The include lines of one folder that break its row of the table."""
    allowed, forbidden = rules[folder]
    bad = []
    for path in sources(folder):
        for kind, name in includes(path):
            base = os.path.basename(name)
            home = homes.get(base) if kind == '"' else None
            if base in forbidden:
                bad.append(f"{path}: includes {name}, which {folder}/ never includes")
            elif home and home != folder and home not in allowed:
                bad.append(f"{path}: includes {name} of {home}/")
            elif kind == '"' and not home:
                bad.append(f"{path}: includes {name}, found in no folder of the table")
    return bad


def read_archives(path):
    """(archives, forbidden symbol prefixes) from the "Pure archives" paragraph."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    para = re.search(r"^Pure archives(.*?)(?:\n\n|\Z)", text, re.M | re.S)
    if not para:
        return [], []
    names = re.findall(r"`([^`]+)`", para.group(1))
    return ([n for n in names if n.endswith(".a")],
            [n.rstrip("…") for n in names if n.endswith("…")])


def archive_violations(archive, prefixes):
    """The undefined symbols of an archive that start with a forbidden prefix."""
    build = os.environ.get("SAMLAD_BUILD_DIR") or os.path.join(ROOT, "build")
    path = os.path.join(build, archive)
    if not os.path.exists(path):
        return [f"{archive} is not in the build ({build})"]
    out = subprocess.run(["nm", "-u", path], capture_output=True, text=True).stdout
    syms = {line.split()[-1] for line in out.splitlines() if line.strip().startswith("U ")}
    return sorted(f"{archive}: needs {sym}" for sym in syms
                  if any(sym.startswith(p) for p in prefixes))


def planted_violation_found():
    """The check itself can fail: a tree whose pure folder includes db.h and
    a header of a folder it may not include gives two violations."""
    global ROOT
    saved = ROOT
    with tempfile.TemporaryDirectory() as tmp:
        ROOT = tmp
        files = {
            "docs/architecture.md": "## Layers\n\n| folder | may include | never |\n|---|---|---|\n"
                                    "| `base/` | nothing | `x.h` |\n| `pure/` | `base/` | `db.h` |\n"
                                    "| `prog/` | `base/`, `pure/` | nothing |\n",
            "base/db.h": "", "base/x.h": "", "prog/p.h": "",
            "pure/a.c": '#include "db.h"\n#include "p.h"\n#include <stdio.h>\n',
            "prog/main.c": '#include "p.h"\n#include "db.h"\n',
        }
        for name, text in files.items():
            os.makedirs(os.path.join(tmp, os.path.dirname(name)), exist_ok=True)
            with open(os.path.join(tmp, name), "w", encoding="utf-8") as f:
                f.write(text)
        rules = read_rules(os.path.join(tmp, "docs", "architecture.md"))
        homes, _ = header_homes(rules)
        found = [violations(f, rules, homes) for f in ("base", "pure", "prog")]
    ROOT = saved
    return found == [[], ["pure/a.c: includes db.h, which pure/ never includes",
                          "pure/a.c: includes p.h of prog/"], []]


def main():
    n = 0
    rules = read_rules(os.path.join(ROOT, "docs", "architecture.md"))
    if not rules:
        print("1..1\nnot ok 1 - docs/architecture.md has a \"## Layers\" table")
        return 1
    archives, prefixes = read_archives(os.path.join(ROOT, "docs", "architecture.md"))
    print(f"1..{len(rules) + len(archives) + 5}")
    failed = 0
    planted = planted_violation_found()
    n += 1
    print(("ok" if planted else "not ok") + f" {n} - a planted violation is found")
    failed += not planted
    homes, clashes = header_homes(rules)
    n += 1
    print(("ok" if not clashes else "not ok") + f" {n} - every header name lives in one folder")
    for c in clashes:
        print(f"# {c}")
    failed += bool(clashes)
    dirs = sorted(d for d in os.listdir(ROOT) if os.path.isdir(os.path.join(ROOT, d))
                  and d not in ("tests", "bench", "fuzz", "build") and not d.startswith(".")
                  and any(p.endswith(".c") for p in sources(d)))
    missing = [d for d in dirs if d not in rules]
    n += 1
    print(("ok" if not missing else "not ok") + f" {n} - every folder of C code has a row"
          + (f" (missing: {', '.join(missing)})" if missing else ""))
    failed += bool(missing)
    for folder in sorted(rules):
        bad = violations(folder, rules, homes)
        n += 1
        print(("ok" if not bad else "not ok") + f" {n} - {folder}/ includes only what its row allows")
        for b in bad:
            print(f"# {b}")
        failed += bool(bad)
    n += 1
    control = archive_violations("common/libsamlad-common.a", prefixes)
    seen = any(v.endswith(" needs PQexecParams") for v in control)
    print(("ok" if seen else "not ok") + f" {n} - the archive check sees libpq in samlad-common")
    failed += not seen
    n += 1
    named = bool(archives) and bool(prefixes)
    print(("ok" if named else "not ok") + f" {n} - the pure archives and forbidden prefixes are named")
    failed += not named
    for archive in archives:
        bad = archive_violations(archive, prefixes)
        n += 1
        print(("ok" if not bad else "not ok") + f" {n} - {archive} links nothing of the database, HTTP or TLS")
        for b in bad:
            print(f"# {b}")
        failed += bool(bad)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
