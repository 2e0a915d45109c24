#!/usr/bin/env python3
"""meson install --destdir into a temporary folder: exactly the files a
Debian administrator expects, where they are expected (docs/operations.md,
"Installing as services"), nothing more; the installed units start the
installed programs; the installed samlad-admin migrate looks for the
installed migrations, the one in the build folder for its checkout's.
Speaks TAP.
"""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from tap import done, ok  # noqa: E402

SRC = os.environ["SAMLAD_SOURCE_DIR"]
BUILD = os.environ["SAMLAD_BUILD_DIR"]


def build_options():
    run = subprocess.run(["meson", "introspect", "--buildoptions", BUILD],
                         capture_output=True, text=True, check=True)
    return {o["name"]: o["value"] for o in json.loads(run.stdout)}


def files_under(root, rel=""):
    """Every file under root/rel, as paths relative to root."""
    out = []
    for dirpath, _, names in os.walk(os.path.join(root, rel)):
        out += [os.path.relpath(os.path.join(dirpath, n), root) for n in names]
    return out


def expected(opts):
    prefix = opts["prefix"].lstrip("/")
    bindir = os.path.join(prefix, opts["bindir"])
    datadir = os.path.join(prefix, opts["datadir"])
    unitdir = opts["systemd_unit_dir"].lstrip("/") or os.path.join(prefix, "lib/systemd/system")
    want = [os.path.join(bindir, p) for p in
            ("samlad-collector", "samlad-aggregator", "samlad-admin", "samlad-push")]
    want += [os.path.join(unitdir, u) for u in
             ("samlad-collector.service", "samlad-aggregator.service",
              "samlad-remind.service", "samlad-remind.timer")]
    want += [os.path.join(datadir, "samlad", e) for e in ("collector.env", "aggregator.env")]
    want += [os.path.join(datadir, "samlad", f) for f in files_under(SRC, "schema")]
    want += [os.path.join(datadir, "doc", "samlad", os.path.relpath(f, "docs"))
             for f in files_under(SRC, "docs")]
    want.append(os.path.join(datadir, "doc", "samlad", "README.md"))
    return sorted(want), bindir, datadir, unitdir


def main():
    opts = build_options()
    with tempfile.TemporaryDirectory(prefix="samlad-install.") as dest:
        run = subprocess.run(["meson", "install", "-C", BUILD, "--no-rebuild", "--quiet",
                              "--destdir", dest], capture_output=True, text=True)
        if not ok(run.returncode == 0, "meson install --destdir exits 0", run.stdout + run.stderr):
            return done()
        want, bindir, datadir, unitdir = expected(opts)
        got = sorted(files_under(dest))
        ok(got == want, f"exactly {len(want)} files are installed",
           "missing: " + str(sorted(set(want) - set(got))) +
           "\nextra:   " + str(sorted(set(got) - set(want))))
        for p in ("samlad-collector", "samlad-aggregator", "samlad-admin", "samlad-push"):
            ok(os.access(os.path.join(dest, bindir, p), os.X_OK), f"{p} is executable")
        for name in ("collector", "aggregator"):
            with open(os.path.join(dest, unitdir, f"samlad-{name}.service")) as f:
                unit = f.read()
            line = f"ExecStart=/{bindir}/samlad-{name} $SAMLAD_OPTIONS"
            ok(line in unit.splitlines(), f"the installed samlad-{name}.service: {line}")
        # The installed samlad-admin (outside the build folder) looks in the
        # installed schema folder, which lies under dest here, so it says so.
        admin = os.path.join(dest, bindir, "samlad-admin")
        env = dict(os.environ, DATABASE_URL="postgresql://x@/x?host=/nonexistent")
        run = subprocess.run([admin, "migrate"], capture_output=True, text=True, env=env)
        schema = f"/{datadir}/samlad/schema"
        ok(run.returncode == 1 and f"cannot open the schema folder {schema}:" in run.stderr,
           f"the installed samlad-admin migrate reads {schema}", run.stderr)
        run = subprocess.run([admin, "migrate", "--schema-dir", os.path.join(dest, datadir,
                              "samlad", "schema")], capture_output=True, text=True, env=env)
        ok(run.returncode == 1 and "cannot connect to the database" in run.stderr,
           "with --schema-dir the installed migrations are read (then the database is asked)",
           run.stderr)
        built = os.path.join(BUILD, "tools", "samlad-admin")
        run = subprocess.run([built, "migrate"], capture_output=True, text=True, env=env)
        ok(run.returncode == 1 and "cannot connect to the database" in run.stderr,
           "the samlad-admin in the build folder reads the checkout's schema/", run.stderr)
        run = subprocess.run([built, "migrate", "--schema-dir", "/nonexistent-samlad"],
                             capture_output=True, text=True, env=env)
        ok(run.returncode == 1 and "/nonexistent-samlad" in run.stderr,
           "--schema-dir overrides the default", run.stderr)
    return done()


if __name__ == "__main__":
    sys.exit(main())
