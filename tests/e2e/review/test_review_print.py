"""The printing instructions of docs/review.md, run as written.

The block after the "print-commands" marker in docs/review.md is read
from the file and run line by line by bash, in an empty folder, with
SAMLAD_URL the address of an aggregator started without --public (so a
browser without a session would get the sign-in page) and SAMLAD_TOKEN an
analyst's token, as the page says. The PDF must then be the review: the
page count of the review (summary, completeness, one page per indicator,
method), every indicator's name on its own page, and nothing of the
sign-in page.

The one thing added is a `chromium` first on PATH that runs Debian's
Chromium with the documented arguments and the flags this machine needs
(the tests run as root, which Chromium refuses without --no-sandbox; a
profile of its own, so that it never meets another test's). Debian's
python3 runs it; the helpers are the review browser test's.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import plant  # noqa: E402
import test_review_browser as rb  # noqa: E402

MARKER = "<!-- print-commands"


def documented_commands():
    """The lines of the first ```sh block after the marker."""
    text = open(os.path.join(rb.SRC, "docs/review.md"), encoding="utf-8").read()
    after = text[text.index(MARKER):]
    block = re.search(r"```sh\n(.*?)```", after, re.S).group(1)
    return [line for line in block.splitlines() if line.strip()]


def chromium_shim(tmp):
    """A directory whose `chromium` adds this machine's flags."""
    shim = os.path.join(tmp, "bin")
    os.mkdir(shim)
    path = os.path.join(shim, "chromium")
    with open(path, "w") as f:
        f.write("#!/bin/sh\n"
                f"exec {rb.CHROMIUM} --no-sandbox --disable-gpu --no-first-run "
                f"--user-data-dir={tmp}/profile \"$@\"\n")
    os.chmod(path, 0o755)
    return shim


def run(base, token, tmp):
    lines = documented_commands()
    rb.is_(len(lines), 2, "docs/review.md gives two printing commands")
    rb.ok(lines and lines[0].startswith("curl ") and "Authorization: Bearer $SAMLAD_TOKEN"
          in lines[0], "the first fetches the review with the token", lines[:1])
    rb.ok(len(lines) > 1 and lines[1].startswith("chromium --headless"),
          "the second prints it with headless Chromium", lines[1:])
    work = os.path.join(tmp, "work")
    os.mkdir(work)
    env = {**os.environ, "SAMLAD_URL": base, "SAMLAD_TOKEN": token,
           "PATH": chromium_shim(tmp) + ":" + os.environ.get("PATH", "")}
    r = subprocess.run(["bash", "-e", "-c", "\n".join(lines)], cwd=work, env=env,
                       capture_output=True, text=True, timeout=150)
    rb.is_(r.returncode, 0, "the commands run as written")
    pdf = os.path.join(work, "review.pdf")
    if not rb.ok(os.path.exists(pdf), "they write review.pdf", r.stderr[-2000:]):
        return
    text = subprocess.run(["pdftotext", pdf, "-"], capture_output=True, text=True).stdout
    rb.ok("logga in" not in text.lower() and "Nyckel" not in text,
          "the PDF is not the sign-in page")
    rb.ok("Trendöversikt" in text, "the PDF is the review (Trendöversikt)", text[:300])
    _, _, body = rb.http_req(base + "/v1/catalogue", token)
    catalogue = sorted(json.loads(body)["indicators"],
                       key=lambda i: (i["level"] != "first_line", i["code"]))
    rb.check_pdf(pdf, [i["name_sv"] for i in catalogue])


def main():
    if not rb.PGHOST or not rb.TEMPLATE:
        print("1..0 # SKIP run through scripts/test.sh")
        return 0
    if not os.path.exists(rb.CHROMIUM) or not shutil.which("curl"):
        print("1..0 # SKIP no chromium or curl")
        return 0
    tmp = tempfile.mkdtemp(prefix="samlad-print-")
    os.chmod(tmp, 0o755)
    name = f"t_review_print_{os.getpid()}"
    rb.make_db(name)
    admin_url = f"postgresql:///{name}?host={rb.PGHOST}&user=samlad_admin"
    agg_url = f"postgresql:///{name}?host={rb.PGHOST}&user=samlad_aggregator"
    proc = None
    log = open(os.path.join(tmp, "aggregator.log"), "w")
    try:
        demo = os.path.join(tmp, "demo")
        admin = os.path.join(rb.BUILD, "tools/samlad-admin")
        subprocess.run([admin, "demo-data", "--out", demo, "--to", "2025Q4"], check=True,
                       capture_output=True, env={**os.environ, "DATABASE_URL": admin_url})
        plant.plant(["psql", admin_url], demo)
        proc, base = rb.start_aggregator(agg_url, log)
        status, headers, _ = rb.http_req(f"{base}/review/2024?area=0581")
        rb.ok(status == 303 and headers.get("Location") == "/login",
              "without a token the review sends a browser to /login")
        run(base, rb.token(admin, admin_url, "--role", "analyst"), tmp)
    finally:
        if proc:
            proc.terminate()
            proc.wait(timeout=20)
        log.close()
        rb.psql_super(f"DROP DATABASE IF EXISTS {name}")
        shutil.rmtree(tmp, ignore_errors=True)
    return rb.done()


if __name__ == "__main__":
    sys.exit(main())
