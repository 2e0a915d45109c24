"""Reads the reporting page (HTML on stdin) and prints, for the quarters
given as arguments, each column's cells as "PERIOD class:word,...", one
line per quarter, the agencies' rows in page order. Used by quickstart.sh."""
import re
import sys

html = sys.stdin.read()
periods = re.findall(r"<th>(\d{4}Q[1-4])</th>", html)
rows = re.findall(r"<tr><th>[^<]*</th>((?:<td class=\"[a-z_]+\">[^<]*</td>)+)", html)
cells = [re.findall(r"<td class=\"([a-z_]+)\">([^<]*)</td>", r) for r in rows]
for want in sys.argv[1:]:
    col = periods.index(want)
    print(want, ",".join(f"{c[col][0]}:{c[col][1]}" for c in cells))
