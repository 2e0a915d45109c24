"""TAP for the Python tests, as tests/support/tap.h is for the C ones: one
numbered ok / not ok line per check, what was compared under a failure,
and the plan at the end. One count per process, so that a test may import
another's helpers and still print one plan."""

count = 0
failed = 0
# Lines of a failure's detail that are printed; the rest only make noise.
DETAIL_LINES = 40


def ok(cond, name, detail=""):
    """One check; returns cond, so that a test can stop where the rest
    would only fail too."""
    global count, failed
    count += 1
    failed += not cond
    print(f"{'ok' if cond else 'not ok'} {count} - {name}", flush=True)
    if not cond and detail:
        for line in str(detail).splitlines()[:DETAIL_LINES]:
            print(f"#   {line}", flush=True)
    return cond


def is_(got, want, name):
    return ok(got == want, name, f"got:  {got!r}\nwant: {want!r}")


def diag(msg):
    print("# " + msg, flush=True)


def skip(name, why):
    """A check that cannot be made here, counted as passed."""
    global count
    count += 1
    print(f"ok {count} - {name} # SKIP {why}", flush=True)


def done():
    """Prints the plan; the exit status of the whole test."""
    print(f"1..{count}", flush=True)
    return 1 if failed else 0
