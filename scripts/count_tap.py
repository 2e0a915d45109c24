#!/usr/bin/env python3
"""Counts TAP results in meson's testlog.json and prints "N passed, N failed".

Every "ok" line is a pass and every "not ok" a failure (a "# SKIP" line is a
skip). A test program that failed without printing any "not ok" (a crash, a
timeout, a bad plan) counts as one more failure. Exits 1 when anything failed.
"""
import json
import re
import sys

OK = re.compile(r"^ok\b")
NOT_OK = re.compile(r"^not ok\b")
SKIP = re.compile(r"#\s*skip", re.IGNORECASE)


def count(entry):
    passed = failed = skipped = 0
    for line in (entry.get("stdout") or "").splitlines():
        if NOT_OK.match(line):
            failed += 1
        elif OK.match(line):
            if SKIP.search(line):
                skipped += 1
            else:
                passed += 1
    if entry.get("result") not in ("OK", "SKIP", "EXPECTEDFAIL") and failed == 0:
        failed = 1
        print(f"counted as failed: {entry.get('name')} ended {entry.get('result')}")
    return passed, failed, skipped


def main(path):
    totals = [0, 0, 0]
    try:
        with open(path, encoding="utf-8") as log:
            for line in log:
                if line.strip():
                    for i, n in enumerate(count(json.loads(line))):
                        totals[i] += n
    except OSError as err:
        print(f"no test log: {err}")
        totals[1] += 1
    passed, failed, skipped = totals
    # The last line is exactly "N passed, N failed" (CI reads it); skips,
    # if any, are said on the line before.
    if skipped:
        print(f"{skipped} skipped (see the test log)")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
