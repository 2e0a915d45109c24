#!/usr/bin/env python3
"""Checks the systemd units of deploy/systemd/ and their environment files.

systemd-analyze verify needs the programs of ExecStart= to exist, so each
unit is checked as a copy whose /usr/bin/samlad-* names the built program.
A unit passes when verify exits 0 and prints nothing (it only warns, with
exit code 0, about an unknown key or a bad value); two broken copies show
that this check fails them. Each service's exposure
(systemd-analyze security --offline=true) is printed and must be below 4.0
("OK"). The example environment file of each service names every option of
its --help, and its SAMLAD_OPTIONS are options the program takes. Speaks TAP.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from tap import done, ok  # noqa: E402

SRC = os.environ["SAMLAD_SOURCE_DIR"]
BUILD = os.environ["SAMLAD_BUILD_DIR"]
UNITS = os.path.join(SRC, "deploy", "systemd")
# The built program of each installed name.
PROGRAMS = {
    "samlad-collector": "collector/samlad-collector",
    "samlad-aggregator": "aggregator/samlad-aggregator",
    "samlad-admin": "tools/samlad-admin",
    "samlad-push": "tools/samlad-push",
}
# The two services and what their units must say besides the sandbox.
SERVICES = ["collector", "aggregator"]
EXPOSURE_MAX = 4.0


def to_build(text):
    """The unit's text with /usr/bin/samlad-X naming the built program."""
    return re.sub(r"/usr/bin/(samlad-[a-z]+)",
                  lambda m: os.path.join(BUILD, PROGRAMS[m.group(1)]), text)


def verify(path):
    """(passes, what systemd-analyze verify said)."""
    run = subprocess.run(["systemd-analyze", "verify", path], capture_output=True, text=True)
    said = (run.stdout + run.stderr).strip()
    return run.returncode == 0 and said == "", f"exit {run.returncode}: {said}"


def exposure(path):
    """The overall exposure of a service, printed as TAP comments."""
    run = subprocess.run(["systemd-analyze", "security", "--offline=true", path],
                         capture_output=True, text=True)
    for line in run.stdout.splitlines():
        if line.strip() and not line.startswith("✓"):
            print(f"# {line.rstrip()}")
    m = re.search(r"Overall exposure level for \S+: ([0-9.]+)", run.stdout)
    return float(m.group(1)) if m else None


def check_unit(tmp, name):
    with open(os.path.join(UNITS, name), encoding="utf-8") as f:
        text = f.read()
    path = os.path.join(tmp, name)
    with open(path, "w", encoding="utf-8") as f:
        f.write(to_build(text))
    passed, said = verify(path)
    ok(passed, f"{name}: systemd-analyze verify passes and says nothing", said)
    if name.endswith(".service"):
        level = exposure(path)
        ok(level is not None and level < EXPOSURE_MAX,
           f"{name}: exposure {level} is below {EXPOSURE_MAX} (OK)")
    return text


def check_broken(tmp, text):
    """A bad value and an unknown key, which verify only warns about."""
    for what, old, new in [("a bad value", "ProtectSystem=strict", "ProtectSystem=strictt"),
                           ("an unknown key", "Restart=on-failure", "Restartt=on-failure")]:
        path = os.path.join(tmp, "samlad-broken.service")
        with open(path, "w", encoding="utf-8") as f:
            f.write(to_build(text.replace(old, new)))
        passed, _ = verify(path)
        ok(not passed, f"a unit with {what} fails the check")


def service_settings(text):
    settings = {}
    for line in text.splitlines():
        if "=" in line and not line.startswith("#"):
            key, value = line.split("=", 1)
            settings.setdefault(key.strip(), []).append(value.strip())
    return settings


def check_service(name, text):
    s = service_settings(text)
    program = f"samlad-{name}"
    ok(s.get("DynamicUser") == ["yes"] and s.get("User") == [program],
       f"{program}.service: a dynamic user of its own, {program}")
    ok(s.get("EnvironmentFile") == [f"/etc/samlad/{name}.env"],
       f"{program}.service: its options in /etc/samlad/{name}.env")
    ok(s.get("ExecStart") == [f"/usr/bin/{program} $SAMLAD_OPTIONS"],
       f"{program}.service: ExecStart passes SAMLAD_OPTIONS", str(s.get("ExecStart")))
    ok(s.get("Restart") == ["on-failure"], f"{program}.service: restarted on failure")
    ok(s.get("Type") == ["notify"] and s.get("NotifyAccess") == ["main"],
       f"{program}.service: ready when the program says so (Type=notify)")
    ok(s.get("RestrictAddressFamilies") == ["AF_INET AF_INET6 AF_UNIX"],
       f"{program}.service: IPv4, IPv6 and Unix sockets only")


def help_options(program):
    run = subprocess.run([os.path.join(BUILD, PROGRAMS[program]), "--help"],
                         capture_output=True, text=True)
    options, name = {}, None
    for line in run.stdout.splitlines():
        m = re.match(r"^  --([a-z0-9-]+)", line)
        if m:
            name = m.group(1)
            continue
        m = re.match(r"^\s+default: (.*); environment: (.*)$", line)
        if m and name and name != "help":
            options[name] = (m.group(1), m.group(2))
    return options


def check_env(name):
    program = f"samlad-{name}"
    with open(os.path.join(SRC, "deploy", f"{name}.env"), encoding="utf-8") as f:
        text = f.read()
    options = help_options(program)
    named = set(re.findall(r"^# --([a-z0-9-]+)(?=[: ])|^#   --([a-z0-9-]+)", text, re.M))
    named = {a or b for a, b in named}
    ok(named == set(options), f"{name}.env names every option of {program} --help",
       f"program: {sorted(options)}\nfile:    {sorted(named)}")
    for opt, (default, env) in sorted(options.items()):
        if env != "none":
            want = re.search(rf"^#?{env}=", text, re.M)
            ok(want is not None, f"{name}.env: --{opt} as {env}")
        elif default != "none":
            # A flag has no value: its line says what its absence means.
            line = f"#   --{opt} (a flag; absent: false)" if default == "false" else \
                f"#   --{opt} {default}"
            ok(re.search(rf"^{re.escape(line)}$", text, re.M) is not None,
               f"{name}.env: --{opt} with its default {default}")
    active = dict(line.split("=", 1) for line in text.splitlines()
                  if line and not line.startswith("#"))
    ok(set(active) == {"DATABASE_URL", "SAMLAD_OPTIONS"},
       f"{name}.env sets DATABASE_URL and SAMLAD_OPTIONS only", str(sorted(active)))
    words = active.get("SAMLAD_OPTIONS", "").split()
    run = subprocess.run([os.path.join(BUILD, PROGRAMS[program])] + words + ["--help"],
                         capture_output=True, text=True)
    ok(run.returncode == 0, f"{name}.env: {program} takes its SAMLAD_OPTIONS", run.stderr)


def main():
    if shutil.which("systemd-analyze") is None:
        print("1..0 # SKIP systemd-analyze is not installed (Debian's systemd package)")
        return 0
    with tempfile.TemporaryDirectory(prefix="samlad-units.") as tmp:
        texts = {}
        for name in sorted(os.listdir(UNITS)):
            texts[name] = check_unit(tmp, name)
        check_broken(tmp, texts["samlad-collector.service"])
    for name in SERVICES:
        check_service(name, texts[f"samlad-{name}.service"])
        check_env(name)
    return done()


if __name__ == "__main__":
    sys.exit(main())
