#!/usr/bin/env python3
"""Every document in the repository links only to files in the repository.

A relative Markdown link must name a file or folder that exists (its
#anchor, when it has one, must be a heading of that file), and no document
points a reader outside the repository: no ../shared/, no DOMAIN.md, which
only the developers' workplace has. Prints TAP."""
import os
import re
import sys

SRC = os.environ.get("SAMLAD_SOURCE_DIR") or os.path.join(os.path.dirname(__file__), "..", "..")
SRC = os.path.abspath(SRC)
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
OUTSIDE = re.compile(r"\.\./shared|DOMAIN\.md")


def documents():
    for top in ["README.md", "docs", "bench", "deploy", "catalogue", "tests", "fuzz"]:
        path = os.path.join(SRC, top)
        if os.path.isfile(path):
            yield path
        for root, _dirs, files in os.walk(path):
            for f in sorted(files):
                if f.endswith(".md"):
                    yield os.path.join(root, f)


def anchors(path):
    """GitHub's anchors of the headings of a Markdown file."""
    out = set()
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = re.match(r"#+\s+(.*)", line)
            if m:
                a = re.sub(r"[^\w\- ]", "", m.group(1).strip().lower()).replace(" ", "-")
                out.add(a)
    return out


def problems(doc):
    rel = os.path.relpath(doc, SRC)
    text = open(doc, encoding="utf-8").read()
    for n, line in enumerate(text.splitlines(), 1):
        if OUTSIDE.search(line):
            yield f"{rel}:{n}: points outside the repository: {line.strip()[:80]}"
    for target in LINK.findall(text):
        if re.match(r"[a-z]+:", target):
            continue
        path, _, anchor = target.partition("#")
        full = os.path.normpath(os.path.join(os.path.dirname(doc), path)) if path else doc
        if not full.startswith(SRC + os.sep) and full != SRC:
            yield f"{rel}: link {target} leaves the repository"
        elif not os.path.exists(full):
            yield f"{rel}: link {target}: no such file"
        elif anchor and full.endswith(".md") and anchor not in anchors(full):
            yield f"{rel}: link {target}: no such heading"


def main():
    docs = list(documents())
    print(f"1..{len(docs)}")
    failed = 0
    for i, doc in enumerate(docs, 1):
        found = list(problems(doc))
        failed += bool(found)
        print(f"{'not ok' if found else 'ok'} {i} - {os.path.relpath(doc, SRC)}")
        for p in found:
            print(f"# {p}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
