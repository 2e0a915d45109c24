#!/usr/bin/python3
"""Prints an xlsx workbook as JSON, for the C tests to compare exactly.

    xlsx_dump.py BOOK.xlsx

{"sheets": [names in order], "rows": {name: [[cell, ...], ...]},
 "value_formats": [the number format of every number in the first sheet's
 column G]}. Cells keep openpyxl's types: a number is a JSON number, text
 a string, an empty cell null. Exit 1 when the file is not a workbook."""
import json
import sys

import openpyxl


def main():
    try:
        book = openpyxl.load_workbook(sys.argv[1])
    except Exception as e:  # a broken file is the finding itself
        print("not a workbook: %s" % e, file=sys.stderr)
        return 1
    out = {"sheets": book.sheetnames, "rows": {}, "value_formats": []}
    for ws in book.worksheets:
        out["rows"][ws.title] = [[c.value for c in row] for row in ws.iter_rows()]
    first = book.worksheets[0]
    for row in first.iter_rows(min_row=2, min_col=7, max_col=7):
        if isinstance(row[0].value, (int, float)):
            out["value_formats"].append(row[0].number_format)
    json.dump(out, sys.stdout, ensure_ascii=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
