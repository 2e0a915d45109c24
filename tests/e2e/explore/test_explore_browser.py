"""The explorer (/explore) in a real browser, end to end. Speaks TAP.

Starts the real samlad-aggregator (without --public) on a database of its
own with the demo data planted, and drives Debian's headless Chromium over
the DevTools protocol on a pipe (the form test's Browser): without a
session /explore goes to /login; it signs in with an analyst's token,
follows the index's link to the explorer, ticks an indicator and a
municipality with all its districts, types a range of quarters, picks a
frequency and presses Visa; then

  - every number and symbol of the table equals what GET /v1/data answers
    for the same selection (".." where it is null, "–" for zero, Swedish
    thousands; the C test integration-aggregator-explore has hidden cells);
  - a screenshot (Page.captureScreenshot) is not blank: the PNG, decoded,
    has more than a few colours and ink near the top;
  - the CSV and JSON-stat download links of the page answer 200 with
    their Content-Type to the browser's own session cookie;
  - no console message was logged (a script or a style the page's CSP
    refused would log one).

Debian's python3 runs it; it uses the review browser test's helpers
(database, aggregator, demo data, PNG) and the form test's Browser.
"""
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import traceback
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "review"))
sys.path.insert(0, os.path.join(HERE, "..", "form"))
import plant  # noqa: E402
import test_form_browser as fb  # noqa: E402
import test_review_browser as rb  # noqa: E402

ok, is_ = rb.ok, rb.is_
IND = "bup.nya_barn"
QUERY = f"indicator={IND}&area=0581*&from=2024Q1&to=2024Q4&freq=all"


def cell_text(row):
    """A /v1/data row as the page prints it."""
    v = row["value"]
    if v is None:
        return ".."
    if v == 0:
        return "\u2013"
    return f"{v:,}".replace(",", rb.NBSP)


def sign_in(b, base, token):
    b.call("Log.enable")
    b.goto(base + "/explore")
    is_(b.eval("location.pathname"), "/login", "without a session /explore goes to /login")
    is_(b.eval("document.documentElement.lang"), "sv", "the sign-in page is Swedish")
    b.navigating(f"""document.querySelector('#token').value = {json.dumps(token)};
                     document.querySelector('form[action="/login"] button').click()""")
    is_(b.eval("location.pathname"), "/", "signing in lands on the index")
    b.navigating("document.querySelector('a.explore').click()")
    is_(b.eval("location.pathname"), "/explore", "the index links the explorer")


def choose(b):
    b.navigating(f"""
        document.querySelector('input[name=indicator][value="{IND}"]').click();
        document.querySelector('input[name=area][value="0581*"]').click();
        document.querySelector('#from').value = '2024Q1';
        document.querySelector('#to').value = '2024Q4';
        document.querySelector('#freq').value = 'all';
        document.querySelector('form[action="/explore"] button').click()""")
    search = b.eval("location.search")
    ok("indicator=bup.nya_barn" in search and "area=0581*" in search.replace("%2A", "*"),
       f"the form's choice is in the address ({search})")


def check_numbers(b, base, token):
    shown = b.eval("""[...document.querySelectorAll('table.data tr[data-area] td')].map(td =>
        [td.closest('table').dataset.indicator, td.parentNode.dataset.area,
         td.dataset.period, td.textContent])""")
    _, _, body = rb.http_req(f"{base}/v1/data?{QUERY}", token)
    rows = json.loads(body)["rows"]
    want = {(r["indicator"], r["area"], r["period"]): cell_text(r) for r in rows}
    got = {(i, a, p): t for i, a, p, t in shown}
    is_(len(want), 6 * 5, "/v1/data has 6 areas x 5 periods")
    wrong = [f"{k}: page {got.get(k)!r}, /v1/data {v!r}" for k, v in want.items()
             if got.get(k) != v]
    ok(not wrong and len(got) == len(want),
       f"every number the page shows equals /v1/data ({len(got)} cells)", "\n".join(wrong[:10]))
    ok(b.eval("document.querySelectorAll('svg[role=img]').length") == 1, "one chart")


def check_screenshot(b, tmp):
    b.call("Emulation.setDeviceMetricsOverride",
           {"width": 1000, "height": 1300, "deviceScaleFactor": 1, "mobile": False})
    b.eval("document.querySelector('section.indicator').scrollIntoView()")
    shot = b.call("Page.captureScreenshot", {"format": "png"})
    path = os.path.join(tmp, "explore.png")
    with open(path, "wb") as f:
        f.write(base64.b64decode(shot["data"]))
    w, h, colours, ink = rb.png_sample(path)
    ok(w == 1000 and h == 1300 and colours >= 16 and ink >= 0.02,
       f"the screenshot is not blank ({w}x{h}, {colours} colours, {ink:.1%} inked)")


def check_downloads(b, base):
    cookies = b.call("Network.getCookies", {"urls": [base + "/"]})["cookies"]
    cookie = "; ".join(f"{c['name']}={c['value']}" for c in cookies)
    ok(any(c["name"] == "samlad_session" for c in cookies), "the browser holds the session")
    links = b.eval("Object.fromEntries([...document.querySelectorAll('a.download')]"
                   ".map(a => [a.textContent, a.getAttribute('href')]))")
    ok(set(links) == {"CSV", "JSON-stat", "Excel (xlsx)"}, f"three download links ({links})")
    ok(links.get("Excel (xlsx)", "").endswith("&format=xlsx"), "the xlsx link")
    for name, ctype in (("CSV", "text/csv; charset=utf-8"),
                        ("JSON-stat", "application/json-stat+json; charset=utf-8")):
        req = urllib.request.Request(base + links.get(name, "/"), headers={
            "Cookie": cookie, "Sec-Fetch-Site": "same-origin"})
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                status, got = r.status, r.headers.get("Content-Type")
        except urllib.error.HTTPError as e:
            status, got = e.code, e.headers.get("Content-Type")
        ok(status == 200 and got == ctype,
           f"the {name} link answers the session cookie: {status} {got}")


def walk(b, base, token, tmp):
    sign_in(b, base, token)
    choose(b)
    is_(b.eval("document.documentElement.lang"), "sv", "the explorer is Swedish")
    check_numbers(b, base, token)
    check_screenshot(b, tmp)
    check_downloads(b, base)
    b.goto(f"{base}/explore?{QUERY}&lang=en")
    ok(b.eval("document.documentElement.lang") == "en" and
       b.eval("document.querySelector('h1').textContent") == "Explore the data",
       "lang=en: the explorer in English")
    lines = [json.dumps(m["params"])[:200] for m in b.console()]
    ok(not lines, "no console message", "\n".join(lines))


def main():
    if not rb.PGHOST or not rb.TEMPLATE:
        print("1..0 # SKIP run through scripts/test.sh")
        return 0
    if not os.path.exists(rb.CHROMIUM):
        print("1..0 # SKIP no chromium")
        return 0
    tmp = tempfile.mkdtemp(prefix="samlad-explore-")
    name = f"t_explore_browser_{os.getpid()}"
    rb.make_db(name)
    admin_url = f"postgresql:///{name}?host={rb.PGHOST}&user=samlad_admin"
    agg_url = f"postgresql:///{name}?host={rb.PGHOST}&user=samlad_aggregator"
    proc = browser = None
    log = open(os.path.join(tmp, "aggregator.log"), "w")
    try:
        demo = os.path.join(tmp, "demo")
        admin = os.path.join(rb.BUILD, "tools/samlad-admin")
        subprocess.run([admin, "demo-data", "--out", demo, "--to", "2025Q4"], check=True,
                       capture_output=True, env={**os.environ, "DATABASE_URL": admin_url})
        plant.plant(["psql", admin_url], demo)
        token = rb.token(admin, admin_url, "--role", "analyst")
        proc, base = rb.start_aggregator(agg_url, log)
        browser = fb.Browser(tmp)
        walk(browser, base, token, tmp)
    except Exception as e:  # a broken walk is a failed test, not a crash
        ok(False, "the walk through the explorer ran to its end", repr(e))
        traceback.print_exc()
    finally:
        if browser:
            browser.close()
        if proc:
            proc.terminate()
            proc.wait(timeout=20)
        log.close()
        rb.psql_super(f"DROP DATABASE IF EXISTS {name}")
        shutil.rmtree(tmp, ignore_errors=True)
    return rb.done()


if __name__ == "__main__":
    sys.exit(main())
