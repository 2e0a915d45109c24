#!/usr/bin/env python3
"""Every conflict code a batch's checks can give has a Swedish sentence for
the form's Swedish page (collector/words.c), and the Swedish table names no
code the checks do not give. The codes are read from the conflicts_add
calls of collector/ingest.c and collector/validate.c. Prints TAP."""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from tap import done, ok  # noqa: E402

SRC = os.environ.get("SAMLAD_SOURCE_DIR") or os.path.join(os.path.dirname(__file__), "..", "..")
SRC = os.path.abspath(SRC)
FIELDS = {"indicator", "area", "period", "value", "flag", "row"}


def read(rel):
    with open(os.path.join(SRC, rel), encoding="utf-8") as f:
        return f.read()


def calls(text, name):
    """The argument text of every call of `name` (parentheses balanced,
    string literals skipped)."""
    out, at = [], 0
    while (at := text.find(name + "(", at)) >= 0:
        i, depth, start = at + len(name) + 1, 1, at + len(name) + 1
        while depth and i < len(text):
            if text[i] == '"':
                i = text.index('"', i + 1)
                while text[i - 1] == "\\":
                    i = text.index('"', i + 1)
            depth += {"(": 1, ")": -1}.get(text[i], 0)
            i += 1
        out.append(text[start:i - 1])
        at = i
    return out


def given_codes():
    """The code of every conflicts_add call: its one string literal that is
    a snake_case word of two or more parts (every code is) and not a
    field's name."""
    codes = set()
    for rel in ("collector/ingest.c", "collector/validate.c"):
        for call in calls(read(rel), "conflicts_add"):
            if "struct conflicts *" in call:
                continue  # its declaration, not a call
            words = [w for w in re.findall(r'"([^"]*)"', call)
                     if re.fullmatch(r"[a-z]+(_[a-z]+)+", w) and w not in FIELDS]
            ok(len(words) == 1, f"{rel}: one code in conflicts_add({call[:50].strip()}...)")
            codes.update(words[:1])
    return codes


def swedish_codes():
    table = re.search(r"CONFLICTS\[\] = \{(.*?)\n\};", read("collector/words.c"), re.S)
    return set(re.findall(r'\{ "([a-z_]+)", "', table.group(1))) if table else set()


def main():
    given, sv = given_codes(), swedish_codes()
    ok(len(given) >= 15, f"the checks give {len(given)} codes")
    for code in sorted(given):
        ok(code in sv, f"{code}: a Swedish sentence in collector/words.c")
    for code in sorted(sv - given):
        ok(False, f"{code}: in collector/words.c but no check gives it")
    return done()


if __name__ == "__main__":
    raise SystemExit(main())
