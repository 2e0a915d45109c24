#!/usr/bin/python3
"""Validates an SDMX-JSON data message against the official schema.

    /usr/bin/python3 sdmx_validate.py SCHEMA MESSAGE

Exit 0 and "valid" when the message validates; 1 and every error
otherwise; 2 when python3-jsonschema is missing. Formats are asserted (the
schema's "prepared" is oneOf date-time and date, which only a format
checker can tell apart); Debian's jsonschema has no date-time checker
without rfc3339-validator, so an RFC 3339 one is registered here."""
import datetime
import json
import re
import sys

try:
    import jsonschema
except ImportError:
    print("python3-jsonschema is not installed (scripts/deps.sh test)")
    sys.exit(2)

RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


def main():
    schema = json.load(open(sys.argv[1], encoding="utf-8"))
    message = json.load(open(sys.argv[2], encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    checker = cls.FORMAT_CHECKER

    @checker.checks("date-time", raises=ValueError)
    def is_datetime(value):
        if not isinstance(value, str):
            return True
        if not RFC3339.match(value):
            raise ValueError("not RFC 3339: %r" % value)
        datetime.datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
        return True

    errors = list(cls(schema, format_checker=checker).iter_errors(message))
    for e in errors:
        print("%s at %s" % (e.message[:300], "/".join(str(p) for p in e.absolute_path)))
    if errors:
        sys.exit(1)
    print("valid")


if __name__ == "__main__":
    main()
