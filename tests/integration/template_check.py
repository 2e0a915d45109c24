#!/usr/bin/python3
"""The template workbook read back with openpyxl, for test_template.c.

  template_check.py show FILE.xlsx
      prints every sheet: "sheet NAME" then its rows, cells joined by '|'
      (an empty cell is empty text), so that the test compares them exactly;
      also whether each cell of the first sheet is a string.
  template_check.py fill FILE.xlsx OUT.csv
      fills the value column of the first sheet with 1, 2, 3, ... and saves
      that sheet as Swedish Excel saves "CSV UTF-8 (kommaavgränsad)": a
      byte order mark, ';' between fields, CRLF after every line.
"""
import csv
import sys

import openpyxl


def text(v):
    return "" if v is None else str(v)


def show(path):
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        print("sheet " + ws.title)
        for row in ws.iter_rows():
            print("|".join(text(c.value) for c in row))
    first = wb.worksheets[0]
    kinds = {c.data_type for row in first.iter_rows() for c in row if c.value is not None}
    print("types " + ",".join(sorted(kinds)))


def fill(path, out):
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    rows = [[text(c.value) for c in row] for row in ws.iter_rows()]
    for i, row in enumerate(rows[1:], start=1):
        row[3] = str(i)
    with open(out, "w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f, delimiter=";", lineterminator="\r\n").writerows(rows)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "show":
        show(sys.argv[2])
    elif len(sys.argv) == 4 and sys.argv[1] == "fill":
        fill(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
