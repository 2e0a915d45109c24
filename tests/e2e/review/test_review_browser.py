#!/usr/bin/env python3
"""The review page (issue 4) in a real browser, end to end. Speaks TAP.

Plants the demo data in a database of its own (plant.py), with one
indicator (soc.placerade, k raised to 1000) whose 2024 counts are large
planted values except one small secret count, starts the real
samlad-aggregator against it and loads /review/2024?area=0581 in Debian's
headless Chromium:
  - the numbers on the page equal /v1/table and /v1/series (cell by cell
    for three indicators, the trend sentence for every one);
  - Chromium logs no console message (a planted console.error proves the
    check can fail), and the screenshot is not blank;
  - the PDF that Chromium prints has the page count of the layout (3 + one
    page per indicator), each indicator's name on its own page, page
    numbers, and every indicator name;
  - the secret count, and every cell /v1/table hides, appears nowhere in
    the HTML as a number token, while a published planted value does;
  - samlad-admin report writes the same page.
The public aggregator serves HTTPS (issue 8) with a certificate from a CA
the test makes with openssl: Python trusts that CA, Chromium the
certificate's key (--ignore-certificate-errors-spki-list).
"""
import html
import html.parser
import json
import os
import re
import shutil
import base64
import hashlib
import signal
import ssl
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import plant  # noqa: E402
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "support"))
from pgtest import free_port, psql_super, make_db  # noqa: E402
from tap import done, is_, ok  # noqa: E402

SRC = os.environ.get("SAMLAD_SOURCE_DIR", "")
BUILD = os.environ.get("SAMLAD_BUILD_DIR", "")
PGHOST = os.environ.get("SAMLAD_TEST_PGHOST")
TEMPLATE = os.environ.get("SAMLAD_TEST_TEMPLATE")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]
YEAR = 2024
AREA = "0581"
SECRET_IND = "soc.placerade"
SECRET = 737             # hageby 2024Q2: below k = 1000, so suppressed
NBSP = "\u00a0"
EN_DASH = "\u2013"
MINUS = "\u2212"

TLS_CONTEXT = None       # trusts the test CA once make_tls has run
CHROMIUM_TLS_FLAGS = []  # trusts the test certificate's key likewise


def sv_int(v):
    """An integer as the page writes it in Swedish."""
    s = f"{abs(v):,}".replace(",", NBSP)
    return (MINUS if v < 0 else "") + s


def sv_real(v, decimals, plus=False):
    s = f"{abs(v):,.{decimals}f}".replace(",", " ").replace(".", ",").replace(" ", NBSP)
    if s.strip("0,") == "":
        return s
    return (MINUS if v < 0 else "+" if plus else "") + s


def cell_text(cell):
    if cell["status"] == "suppressed":
        return ".."
    if cell["status"] == "missing":
        return ".."
    if cell["value"] == 0:
        return EN_DASH
    return sv_int(cell["value"])


# ---- the page's table cells ----------------------------------------------

class Cells(html.parser.HTMLParser):
    """Collects the text of every td with data-cell, keyed by (section id,
    table id or class, data-cell), and the text of each section."""

    def __init__(self):
        super().__init__()
        self.section = None
        self.table = None
        self.cell = None
        self.text = []
        self.cells = {}
        self.trend = {}
        self.in_trend = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "section":
            self.section = a.get("id") or a.get("class")
        elif tag == "table":
            self.table = a.get("id") or a.get("class")
        elif tag == "td" and "data-cell" in a:
            self.cell = (self.section, self.table, a["data-cell"])
            self.text = []
        elif tag == "b" and self.section and self.section.startswith("ind-") \
                and self.section not in self.trend:
            self.in_trend = []

    def handle_endtag(self, tag):
        if tag == "td" and self.cell:
            self.cells[self.cell] = "".join(self.text)
            self.cell = None
        elif tag == "b" and self.in_trend is not None:
            self.trend[self.section] = "".join(self.in_trend)
            self.in_trend = None

    def handle_data(self, data):
        if self.cell:
            self.text.append(data)
        if self.in_trend is not None:
            self.in_trend.append(data)


def number_tokens(text):
    """Every number written in the text, Swedish grouping undone: "3 117"
    (no-break space) is 3117; digits next to letters count too."""
    out = set()
    for m in re.finditer(r"\d{1,3}(?:\u00a0\d{3})+|\d+", text):
        out.add(int(m.group(0).replace(NBSP, "")))
    return out


# ---- processes -----------------------------------------------------------

def make_tls(tmp):
    """A CA and a certificate it signs for 127.0.0.1, made with openssl;
    returns the aggregator's --tls-cert and --tls-key arguments."""
    global TLS_CONTEXT, CHROMIUM_TLS_FLAGS
    f = {k: os.path.join(tmp, k) for k in ("ca.pem", "ca.key", "cert.pem", "key.pem",
                                            "cert.csr", "ext.cnf")}
    with open(f["ext.cnf"], "w") as ext:
        ext.write("subjectAltName=IP:127.0.0.1\n")
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
    for args in (["req", "-x509", *ec, "-keyout", f["ca.key"], "-out", f["ca.pem"],
                  "-days", "2", "-subj", "/CN=Samlad test CA"],
                 ["req", *ec, "-keyout", f["key.pem"], "-out", f["cert.csr"],
                  "-subj", "/CN=127.0.0.1"],
                 ["x509", "-req", "-in", f["cert.csr"], "-CA", f["ca.pem"], "-CAkey",
                  f["ca.key"], "-CAcreateserial", "-out", f["cert.pem"], "-days", "2",
                  "-extfile", f["ext.cnf"]]):
        subprocess.run(["openssl", *args], check=True, capture_output=True)
    TLS_CONTEXT = ssl.create_default_context(cafile=f["ca.pem"])
    pub = subprocess.run(["openssl", "x509", "-in", f["cert.pem"], "-noout", "-pubkey"],
                         check=True, capture_output=True).stdout
    der = subprocess.run(["openssl", "pkey", "-pubin", "-outform", "der"], input=pub,
                         check=True, capture_output=True).stdout
    spki = base64.b64encode(hashlib.sha256(der).digest()).decode()
    CHROMIUM_TLS_FLAGS = [f"--ignore-certificate-errors-spki-list={spki}"]
    return ["--tls-cert", f["cert.pem"], "--tls-key", f["key.pem"]]


def http_get(url):
    try:
        with urllib.request.urlopen(url, timeout=30, context=TLS_CONTEXT) as r:
            return r.status, r.read().decode("utf-8")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8")


def start_aggregator(db_url, log, extra=()):
    port = free_port()
    proc = subprocess.Popen([os.path.join(BUILD, "aggregator/samlad-aggregator"),
                             "--listen", f"127.0.0.1:{port}", "--database-url", db_url,
                             *extra], stdout=log, stderr=log)
    base = f"{'https' if '--tls-cert' in extra else 'http'}://127.0.0.1:{port}"
    for _ in range(150):
        try:
            if http_get(base + "/healthz")[0] == 200:
                return proc, base
        except OSError:
            pass
        time.sleep(0.1)
    proc.kill()
    raise RuntimeError("the aggregator did not start")


class Browser:
    """One headless Chromium run with a profile of its own, so that several
    run at once (they are independent: DOM, probe, screenshot, PDF)."""

    def __init__(self, tmp, name, args):
        self.out = open(os.path.join(tmp, f"{name}.out"), "w+")
        self.err = open(os.path.join(tmp, f"{name}.err"), "w+")
        profile = os.path.join(tmp, f"profile-{name}")
        self.proc = subprocess.Popen([CHROMIUM, *CHROMIUM_FLAGS, *CHROMIUM_TLS_FLAGS,
                                      f"--user-data-dir={profile}", *args],
                                     stdout=self.out, stderr=self.err)

    def wait(self, timeout=120):
        try:
            self.returncode = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.returncode = self.proc.wait()
        self.out.seek(0)
        self.err.seek(0)
        self.stdout, self.stderr = self.out.read(), self.err.read()
        self.out.close()
        self.err.close()
        return self


def console_lines(stderr):
    return [l for l in stderr.splitlines() if ":CONSOLE" in l]


# ---- PNG ------------------------------------------------------------------

def png_sample(path, rows=300):
    """(width, height, distinct colours, share of non-white pixels) of the
    first `rows` rows of an 8-bit RGB or RGBA PNG."""
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, ihdr = 8, b"", None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    width, height, depth, ctype = ihdr[:4]
    assert depth == 8 and ctype in (2, 6), ihdr
    bpp = 4 if ctype == 6 else 3
    raw = zlib.decompress(idat)
    stride = width * bpp
    prev = bytearray(stride)
    colours, inked = set(), 0
    rows = min(rows, height)
    for y in range(rows):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + ((a + b) >> 1)) & 255
            elif f == 4:
                c = prev[i - bpp] if i >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pr = a if pa <= pb and pa <= pc else b if pb <= pc else c
                line[i] = (line[i] + pr) & 255
        for x in range(0, stride, bpp):
            px = bytes(line[x:x + 3])
            colours.add(px)
            if px != b"\xff\xff\xff":
                inked += 1
        prev = line
    return width, height, len(colours), inked / (width * rows)


# ---- the test --------------------------------------------------------------

def planted_rows():
    """soc.placerade in 0581's districts, 2024: large distinctive values,
    and the secret in Hageby's Q2."""
    rows = []
    districts = ["0581-hageby", "0581-klockaretorpet", "0581-marielund", "0581-navestad",
                 "0581-skarblacka"]
    for d, area in enumerate(districts):
        for q in range(1, 5):
            v = SECRET if (area, q) == ("0581-hageby", 2) else 3000 + 100 * d + 10 * q + 7
            rows.append(("soc", SECRET_IND, area, f"{YEAR}Q{q}", v))
    return rows


def secret_catalogue(tmp):
    """The test catalogue with soc.placerade's suppress_below raised to 1000."""
    out = os.path.join(tmp, "catalogue")
    shutil.copytree(os.path.join(SRC, "tests/fixtures/catalogue"), out)
    path = os.path.join(out, "indicators.csv")
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    lines = [re.sub(r",\d*$", ",1000", l) if l.startswith(SECRET_IND + ",") else l
             for l in lines]
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    return out


def check_numbers(base, cells):
    """Three indicators cell by cell against /v1/table and /v1/series."""
    for code in ["bup.nya_barn", "familjeradgivning.barn", SECRET_IND]:
        sec = f"ind-{code}"
        _, body = http_get(f"{base}/v1/table?indicator={code}&area={AREA}&year={YEAR}")
        table = json.loads(body)
        bad = []
        for row in table["rows"]:
            for c in row["cells"]:
                got = cells.get((sec, f"cross-{code}", f"{row['area']}/{c['period']}"))
                if got != cell_text(c):
                    bad.append(f"{row['area']}/{c['period']}: page {got!r}, api {cell_text(c)!r}")
        ok(not bad, f"{code}: all {sum(len(r['cells']) for r in table['rows'])} cells of the "
           f"{YEAR} table equal /v1/table", "\n".join(bad))
        _, body = http_get(f"{base}/v1/series?indicator={code}&area={AREA}&from={YEAR - 5}"
                           f"&to={YEAR}&freq=year")
        series = json.loads(body)
        bad = []
        for p in series["points"]:
            got = cells.get((sec, f"years-{code}", f"{AREA}/{p['period']}"))
            if got != cell_text(p):
                bad.append(f"{p['period']}: page {got!r}, api {cell_text(p)!r}")
        ok(not bad, f"{code}: the year values equal /v1/series?freq=year", "\n".join(bad))
        _, body = http_get(f"{base}/v1/series?indicator={code}&area={AREA}&from={YEAR - 5}Q1"
                           f"&to={YEAR}Q4")
        series = json.loads(body)
        bad = []
        for p in series["points"]:
            got = cells.get((sec, "grid", f"{AREA}/{p['period']}"))
            if got != cell_text(p):
                bad.append(f"{p['period']}: page {got!r}, api {cell_text(p)!r}")
        ok(not bad and len(series["points"]) == 24,
           f"{code}: the 24 quarter values equal /v1/series", "\n".join(bad))


def trend_text(t):
    """The page's trend sentence from /v1/series' trend."""
    if t["mann_kendall"] is None or t["mann_kendall"].get("p") is None:
        return "för få värden för ett trendtest"
    words = {"increasing": "ökande", "decreasing": "minskande",
             "none": "ingen signifikant trend"}[t["direction"]]
    if t.get("sen_slope") is not None:
        words += f", {sv_real(t['sen_slope'] * 4, 1, plus=True)} per år"
    p = t["mann_kendall"]["p"]
    if p < 0.001:
        return words + ", p < 0,001"
    return words + f", p = {sv_real(p, 3 if p < 0.01 else 2)}"


def check_trends(base, catalogue, cells):
    bad = []
    for ind in catalogue:
        _, body = http_get(f"{base}/v1/series?indicator={ind['code']}&area={AREA}"
                           f"&from={YEAR - 5}Q1&to={YEAR}Q4")
        want = trend_text(json.loads(body)["trend"])
        got = cells.trend.get(f"ind-{ind['code']}")
        if got != want:
            bad.append(f"{ind['code']}: page {got!r}, api {want!r}")
    ok(not bad, f"every indicator's trend sentence ({len(catalogue)}) equals /v1/series' trend",
       "\n".join(bad))


def check_disclosure(base, page):
    tokens = number_tokens(page)
    ok(SECRET not in tokens, f"the planted small count {SECRET} appears nowhere in the HTML")
    ok(3117 in tokens and "3" + NBSP + "117" in page,
       "while a published planted count (3 117) does: the check can see planted values")
    _, body = http_get(f"{base}/v1/table?indicator={SECRET_IND}&area={AREA}&year={YEAR}")
    table = json.loads(body)
    hidden = [(r["area"], c["period"]) for r in table["rows"] for c in r["cells"]
              if c["status"] == "suppressed"]
    # A stock's year is its Q4, so Hageby's Q2 is linked only through the
    # column: one secondary suppression in it protects the secret.
    ok(("0581-hageby", f"{YEAR}Q2") in hidden and len(hidden) >= 2,
       f"/v1/table hides the secret and at least one more cell ({len(hidden)})")
    truth = {(a, f"{YEAR}Q{q}"): v for _, _, a, p, v in planted_rows() for q in [int(p[-1])]}
    leaked = [f"{k}={truth[k]}" for k in hidden if k in truth and truth[k] in tokens]
    ok(not leaked, "no cell that /v1/table hides appears in the page as a number",
       ", ".join(leaked))
    # The method names each indicator's own k, as its tables were protected.
    want = ("gäller per indikator: k = 1000 för Antalet barn placerade utanför hemmet "
            "(Socialtjänsten BoU (barn och unga)); k = 5 för de övriga.")
    ok(html.unescape(page).count(want) == 1,
       "the method appendix names soc.placerade's own k of 1000 and 5 for the others")


def check_pdf(pdf, names):
    info = subprocess.run(["pdfinfo", pdf], capture_output=True, text=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    is_(pages, 3 + len(names), f"the PDF has 3 + {len(names)} pages: summary, completeness, "
        "one per indicator, method")
    text = subprocess.run(["pdftotext", "-layout", pdf, "-"], capture_output=True,
                          text=True).stdout
    flat = re.sub(r"\s+", " ", text)
    missing = [n for n in names if n not in flat]
    ok(not missing, f"every indicator name ({len(names)}) is in the PDF's text",
       "\n".join(missing))
    wrong = []
    for i, name in enumerate(names):
        page = subprocess.run(["pdftotext", "-f", str(3 + i), "-l", str(3 + i), pdf, "-"],
                              capture_output=True, text=True).stdout
        flat_page = re.sub(r"\s+", " ", page)
        if name not in flat_page or f"Sida {3 + i} av {pages}" not in flat_page:
            wrong.append(f"page {3 + i}: {name}")
    ok(not wrong, "each indicator is on its own page, in order, with its page number",
       "\n".join(wrong))


def main():
    if not PGHOST or not TEMPLATE:
        print("1..0 # SKIP run through scripts/test.sh")
        return 0
    if not os.path.exists(CHROMIUM):
        print("1..0 # SKIP no chromium")
        return 0
    tmp = tempfile.mkdtemp(prefix="samlad-review-")
    os.chmod(tmp, 0o755)
    name = f"t_review_browser_{os.getpid()}"
    make_db(name)
    admin_url = f"postgresql:///{name}?host={PGHOST}&user=samlad_admin"
    agg_url = f"postgresql:///{name}?host={PGHOST}&user=samlad_aggregator"
    proc = None
    log = open(os.path.join(tmp, "aggregator.log"), "w")
    try:
        demo = os.path.join(tmp, "demo")
        admin = os.path.join(BUILD, "tools/samlad-admin")
        subprocess.run([admin, "demo-data", "--out", demo, "--to", "2025Q4"], check=True,
                       capture_output=True, env={**os.environ, "DATABASE_URL": admin_url})
        # k is the catalogue's: import one with soc.placerade's raised to
        # 1000 before the data arrive, so that every state uses it.
        cat = secret_catalogue(tmp)
        subprocess.run([admin, "catalogue", "import", cat], check=True, capture_output=True,
                       env={**os.environ, "DATABASE_URL": admin_url})
        plant.plant(["psql", admin_url], demo, late=[("bup", f"{YEAR}Q2")],
                    unreported=[("minimaria", f"{YEAR}Q3")], extra_rows=planted_rows())
        proc, base = start_aggregator(agg_url, log, ["--public", *make_tls(tmp)])
        ok(base.startswith("https://"), f"the public aggregator serves HTTPS ({base})")
        run(base, tmp, admin, admin_url)
        gated, gated_base = start_aggregator(agg_url, log)
        try:
            check_gate(gated_base, admin, admin_url)
        finally:
            gated.send_signal(signal.SIGTERM)
            gated.wait(timeout=20)
    finally:
        if proc:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=20)
        log.close()
        psql_super(f"DROP DATABASE IF EXISTS {name}")
        shutil.rmtree(tmp, ignore_errors=True)
    return done()


def http_req(url, token=None):
    """(status, headers, body) without following redirects."""
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None
    req = urllib.request.Request(url)
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        opener = urllib.request.build_opener(NoRedirect,
                                             urllib.request.HTTPSHandler(context=TLS_CONTEXT))
        with opener.open(req, timeout=30) as r:
            return r.status, r.headers, r.read().decode("utf-8")
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read().decode("utf-8")


def token(admin, admin_url, *args):
    r = subprocess.run([admin, "token", "create", *args], capture_output=True, text=True,
                       check=True, env={**os.environ, "DATABASE_URL": admin_url})
    return r.stdout.strip().splitlines()[-1]


def check_gate(base, admin, admin_url):
    """Without --public the review needs a reader, like every read."""
    url = f"{base}/review/{YEAR}?area={AREA}"
    status, headers, _ = http_req(url)
    ok(status == 303 and headers.get("Location") == "/login",
       f"without a token or session the review sends the browser to /login ({status})")
    status, _, body = http_req(url, token(admin, admin_url, "--role", "submitter",
                                          "--agency", "bup"))
    ok(status == 403 and json.loads(body)["error"] == "forbidden",
       f"a submitter's token is refused with 403 ({status})")
    status, headers, body = http_req(url, token(admin, admin_url, "--role", "analyst"))
    ok(status == 200 and body.startswith("<!DOCTYPE html>") and
       headers.get("Content-Type") == "text/html; charset=utf-8",
       f"an analyst's token reads it ({status})")


def check_params(base):
    bad = {
        f"/review/{YEAR}?area={AREA}&lang=de": "lang",
        f"/review/{YEAR}?area=0581-hageby": "area",
        f"/review/{YEAR}": "area",
        f"/review/1999?area={AREA}": "year",
        f"/review/20x4?area={AREA}": "year",
        f"/review/{YEAR}?area={AREA}&as_of=yesterday": "as_of",
        f"/review/{YEAR}?area={AREA}&colour=red": "colour",
    }
    wrong = []
    for path, name in bad.items():
        status, _, body = http_req(base + path)
        try:
            err = json.loads(body)
        except ValueError:
            err = {}
        if status != 400 or err.get("error") != "invalid_parameter" or name not in err.get(
                "message", ""):
            wrong.append(f"{path}: {status} {body[:120]}")
    ok(not wrong, f"{len(bad)} malformed requests answer 400 invalid_parameter naming the "
       "parameter", "\n".join(wrong))
    status, headers, body = http_req(f"{base}/review/{YEAR}?area={AREA}&lang=en"
                                     "&as_of=2025-01-20T00:00:00Z")
    ok(status == 200 and '<html lang="en">' in body and
       headers.get("Content-Language") == "en" and
       "Data as of 2025-01-20 00:00:00 UTC" in body and "Page \" counter(page)" in body,
       "lang=en and as_of: an English page that states the as-of time")
    _, _, table = http_req(f"{base}/v1/table?indicator=bup.nya_barn&area={AREA}&year={YEAR}"
                           "&as_of=2025-01-20T00:00:00Z")
    q4 = [c for r in json.loads(table)["rows"] if r["area"] == AREA for c in r["cells"]
          if c["period"] == f"{YEAR}Q4"][0]
    cells = Cells()
    cells.feed(body)
    want = cell_text(q4).replace(NBSP, ",") if q4["status"] == "published" else cell_text(q4)
    is_(cells.cells.get(("ind-bup.nya_barn", "cross-bup.nya_barn", f"{AREA}/{YEAR}Q4")), want,
        "the as_of page's cell equals /v1/table with the same as_of (English format)")


def run(base, tmp, admin, admin_url):
    url = f"{base}/review/{YEAR}?area={AREA}"
    status, page = http_get(url)
    is_(status, 200, "GET /review/2024?area=0581 answers 200")
    _, index = http_get(base + "/")
    ok(f'href="/review/{YEAR}?area={AREA}"' in index, "the index links the review of 0581, 2024")
    _, body = http_get(base + "/v1/catalogue")
    catalogue = sorted(json.loads(body)["indicators"],
                       key=lambda i: (i["level"] != "first_line", i["code"]))
    names = [i["name_sv"] for i in catalogue]

    # Four browsers at once: the DOM (and what it logged), a probe page
    # that logs an error, a screenshot and a PDF.
    shot = os.path.join(tmp, "review.png")
    pdf = os.path.join(tmp, "review.pdf")
    dom = Browser(tmp, "dom", ["--enable-logging=stderr", "--v=0", "--dump-dom", url])
    probe = Browser(tmp, "probe", ["--enable-logging=stderr", "--v=0", "--dump-dom",
                                   "data:text/html,<script>console.error('probe')</script>"])
    snap = Browser(tmp, "shot", ["--window-size=1000,1300", f"--screenshot={shot}", url])
    printed = Browser(tmp, "pdf", ["--no-pdf-header-footer", f"--print-to-pdf={pdf}", url])
    dom, probe, snap, printed = dom.wait(), probe.wait(), snap.wait(), printed.wait()

    ok(dom.returncode == 0 and "</html>" in dom.stdout, "Chromium loads the page")
    lines = console_lines(dom.stderr)
    ok(not lines, "no console message while loading the page", "\n".join(lines))
    ok(any("probe" in l for l in console_lines(probe.stderr)),
       "a console.error on a probe page is seen (the check can fail)")
    cells = Cells()
    cells.feed(dom.stdout)
    check_numbers(base, cells.cells)
    check_trends(base, catalogue, cells)
    ok(f"<b>Sena rapporter:</b> BUP (barn- och ungdomspsykiatrin){NBSP}Q2" in page,
       "the completeness table names the late report")
    ok(f"<b>Ej rapporterat:</b> Mini-Maria{NBSP}Q3" in page,
       "and the quarter that was not reported")
    check_disclosure(base, page)
    check_params(base)

    ok(snap.returncode == 0 and os.path.exists(shot), "Chromium takes a screenshot")
    if os.path.exists(shot):
        w, h, colours, ink = png_sample(shot)
        ok(w == 1000 and h == 1300 and colours >= 16 and ink >= 0.02,
           f"the screenshot is not blank ({colours} colours, {ink:.1%} inked in the top rows)")
    if ok(printed.returncode == 0 and os.path.exists(pdf), "Chromium prints the page to PDF"):
        check_pdf(pdf, names)

    out = os.path.join(tmp, "review-2024.html")
    r = subprocess.run([admin, "report", "--area", AREA, "--year", str(YEAR), "--out", out],
                       capture_output=True, text=True,
                       env={**os.environ, "DATABASE_URL": admin_url})
    is_(r.returncode, 0, "samlad-admin report exits 0")
    if os.path.exists(out):
        made = re.compile(r"Skapad \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC")
        a = made.sub("", open(out, encoding="utf-8").read()).splitlines()
        b = made.sub("", page).splitlines()
        diff = [f"line {i + 1}: file {x[:200]!r}\n        page {y[:200]!r}"
                for i, (x, y) in enumerate(zip(a, b)) if x != y][:3]
        ok(a == b, "it writes the same page as the aggregator (but for the time it was made)",
           "\n".join(diff) or f"{len(a)} lines in the file, {len(b)} in the page")


if __name__ == "__main__":
    sys.exit(main())
