#!/usr/bin/env python3
"""How much an aggregator publishes (issue 7, "Usefulness"): reads
/v1/table of every indicator, municipality and year that has data, and
counts the present cells, the published ones, and the hidden ones split by
the true counts into small (1..k-1: what must be hidden) and the rest (the
secondary cells hidden to protect them). Prints one JSON object.

    disclosure_stats.py URL TOKEN PSQL_URL [YEAR_FROM YEAR_TO]

URL is the aggregator's base URL, TOKEN an analyst token, PSQL_URL the
database as its owner (for the true counts, which no endpoint shows). The
rules that make a total from its parts are the aggregator's: a
municipality cell is the sum of the districts in the table's rows, a year
is the sum of its quarters (flow) or its fourth quarter (stock), and a
total with a missing part is missing (the status says so; then no value
is needed). Works against any version of the aggregator whose /v1/table
answers rows of cells with status and suppress_below."""
import json
import subprocess
import sys
import urllib.request
from concurrent.futures import ThreadPoolExecutor


def psql(url, sql):
    out = subprocess.run(["psql", "-X", "-At", "-F", "\t", url, "-c", sql], check=True,
                         capture_output=True, text=True).stdout
    return [line.split("\t") for line in out.splitlines() if line]


def truth(url):
    """The current count of every (indicator, area, period) by code."""
    rows = psql(url, "SELECT i.code, a.code, c.period, c.value FROM count_current c"
                     " JOIN indicator i ON i.id = c.indicator_id JOIN area a ON a.id = c.area_id")
    return {(r[0], r[1], int(r[2])): int(r[3]) for r in rows}


def tables(url, y0, y1):
    """(indicator, municipality, year) of every table with a count."""
    rows = psql(url, "SELECT DISTINCT i.code, coalesce(p.code, a.code), c.period / 10"
                     "  FROM count_current c JOIN indicator i ON i.id = c.indicator_id"
                     "  JOIN area a ON a.id = c.area_id LEFT JOIN area p ON p.id = a.parent_id"
                     f" WHERE c.period / 10 BETWEEN {y0} AND {y1} ORDER BY 1, 2, 3")
    kinds = dict(psql(url, "SELECT code, kind FROM indicator"))
    return [(r[0], r[1], int(r[2]), kinds[r[0]]) for r in rows]


def get(base, token, path):
    req = urllib.request.Request(base + path, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(req, timeout=120) as r:
        return json.loads(r.read())


def cell_values(table, known, ind, year, kind):
    """The true value of every cell of a /v1/table answer, by (area, column)."""
    rows = table["rows"]
    values = {}
    for row in rows[:-1] if len(rows) > 1 else rows:
        q = [known.get((ind, row["area"], year * 10 + c + 1)) for c in range(4)]
        for c in range(4):
            values[(row["area"], c)] = q[c]
        values[(row["area"], 4)] = q[3] if kind == "stock" else sum(v or 0 for v in q)
    if len(rows) > 1:
        total = rows[-1]["area"]
        for c in range(5):
            values[(total, c)] = sum(values.get((r["area"], c)) or 0 for r in rows[:-1])
    return values


def count(base, token, known, t):
    ind, mun, year, kind = t
    table = get(base, token, f"/v1/table?indicator={ind}&area={mun}&year={year}")
    k = table["suppress_below"]
    values = cell_values(table, known, ind, year, kind)
    c = {"present": 0, "published": 0, "hidden": 0, "small": 0, "secondary": 0}
    for row in table["rows"]:
        for col, cell in enumerate(row["cells"]):
            if cell["status"] == "missing":
                continue
            c["present"] += 1
            if cell["status"] == "published":
                c["published"] += 1
                continue
            c["hidden"] += 1
            v = values[(row["area"], col)]
            c["small" if 1 <= v < k else "secondary"] += 1
    return c


def main():
    base, token, url = sys.argv[1:4]
    y0, y1 = (int(sys.argv[4]), int(sys.argv[5])) if len(sys.argv) > 5 else (2000, 9999)
    known = truth(url)
    todo = tables(url, y0, y1)
    total = {"tables": len(todo), "present": 0, "published": 0, "hidden": 0, "small": 0,
             "secondary": 0}
    with ThreadPoolExecutor(max_workers=8) as pool:
        for c in pool.map(lambda t: count(base, token, known, t), todo):
            for key, v in c.items():
                total[key] += v
    total["published_share"] = round(total["published"] / total["present"], 4) \
        if total["present"] else None
    print(json.dumps(total))


if __name__ == "__main__":
    main()
