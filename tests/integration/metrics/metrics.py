#!/usr/bin/env python3
"""GET /metrics of one service (the argument: collector or aggregator) over
real HTTP on a database of the test cluster. Speaks TAP.

  - who may read: 401 without a token, 403 for a token of another role,
    200 for an admin's; without a token from loopback only with
    --metrics-loopback;
  - the text passes `promtool check metrics` (Debian's prometheus package);
  - counters move by exact amounts as requests are made (the route
    counters, rows stored by class, batches refused by reason, the
    aggregator's versions and recorded tables);
  - the metric names are exactly those docs/operations.md lists under
    "Watch it" for the service, with the types it gives.
Skips without the cluster scripts/test.sh starts.
"""
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "support"))
from pgtest import free_port, make_db  # noqa: E402
import tap  # noqa: E402
from tap import done, is_, ok, skip  # noqa: E402
from client import request  # noqa: E402

SRC = os.environ.get("SAMLAD_SOURCE_DIR") or os.path.join(os.path.dirname(
    os.path.abspath(__file__)), "../../..")
BUILD = os.environ.get("SAMLAD_BUILD_DIR", "")
PGHOST = os.environ.get("SAMLAD_TEST_PGHOST")
TEMPLATE = os.environ.get("SAMLAD_TEST_TEMPLATE")
PROMTOOL = "/usr/bin/promtool"


# ---- the database and the programs -------------------------------------------

def psql(sql, db="postgres", user="postgres"):
    r = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-h", PGHOST, "-U", user, "-d", db,
                        "-v", "ON_ERROR_STOP=1", "-c", sql],
                       check=True, capture_output=True, text=True)
    return r.stdout.strip()


class World:
    """A database of its own, tokens of every role, programs started on it."""

    def __init__(self, tmp):
        self.name = f"t_metrics_{os.getpid()}"
        make_db(self.name)
        self.url = f"postgresql:///{self.name}?host={PGHOST}&user="
        self.procs = []
        self.log = open(os.path.join(tmp, "programs.log"), "w")
        self.submitter = self.token("--role", "submitter", "--agency", "bup")
        self.analyst = self.token("--role", "analyst")
        self.admin = self.token("--role", "admin")

    def token(self, *args):
        r = subprocess.run([os.path.join(BUILD, "tools/samlad-admin"), "token", "create",
                            *args], capture_output=True, text=True, check=True,
                           env={**os.environ, "DATABASE_URL": self.url + "samlad_admin"})
        return r.stdout.strip().splitlines()[-1]

    def start(self, program, *extra, listen="127.0.0.1"):
        port = free_port()
        role = "samlad_" + program
        p = subprocess.Popen([os.path.join(BUILD, f"{program}/samlad-{program}"),
                              "--listen", f"{listen}:{port}", "--database-url",
                              self.url + role, *extra], stdout=self.log, stderr=self.log)
        self.procs.append(p)
        base = f"http://{listen}:{port}"
        for _ in range(300):
            try:
                if request(base, "GET", "/healthz", host="127.0.0.1").status == 200:
                    return base
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"{program} did not start")

    def stop(self):
        for p in self.procs:
            p.send_signal(signal.SIGTERM)
            p.wait(timeout=20)
        self.log.close()
        psql(f"DROP DATABASE IF EXISTS {self.name}")


# ---- the text ------------------------------------------------------------------

SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def parse(text):
    """{(name, ((label, value), ...)): value} and {family: type}."""
    samples, types = {}, {}
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ")
            types[name] = kind
        elif line and not line.startswith("#"):
            m = SAMPLE.match(line)
            labels = tuple(sorted(LABEL.findall(m.group(2) or "")))
            samples[(m.group(1), labels)] = float(m.group(3))
    return samples, types


def value(samples, name, **labels):
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def scrape(base, token):
    r = request(base, "GET", "/metrics", token)
    if r.status != 200:
        raise RuntimeError(f"/metrics: {r.status} {r.body[:200]!r}")
    return r


def requests_other_than_metrics(samples):
    return sum(v for (name, labels), v in samples.items()
               if name == "samlad_http_requests_total" and ("route", "/metrics") not in labels)


def settled(base, token, before, n):
    """A scrape once the n requests made since `before` (other than
    /metrics) are counted: a request is counted when its connection has
    sent the answer, a moment after the client has it."""
    want = requests_other_than_metrics(before) + n
    for _ in range(100):
        r = scrape(base, token)
        if requests_other_than_metrics(parse(r.body.decode())[0]) >= want:
            return r
        time.sleep(0.05)
    return r


def check_promtool(r, who):
    is_(r.headers.get("Content-Type"), "text/plain; version=0.0.4; charset=utf-8",
        f"{who}: the exposition format's media type")
    p = subprocess.run([PROMTOOL, "check", "metrics"], input=r.body, capture_output=True)
    ok(p.returncode == 0, f"{who}: promtool check metrics passes",
       (p.stdout + p.stderr).decode())


def documented(service):
    """{name: type} of the metrics docs/operations.md lists for a service
    (rows of the "Watch it" tables: | `name` | type | services | meaning |)."""
    with open(os.path.join(SRC, "docs/operations.md"), encoding="utf-8") as f:
        text = f.read()
    section = text.split("## Watch it", 1)[1].split("\n## ", 1)[0]
    out = {}
    for m in re.finditer(r"^\| `([a-z_]+)` \| (counter|gauge|histogram) \| ([a-z, ]+) \|",
                         section, re.M):
        if service in m.group(3):
            out[m.group(1)] = m.group(2)
    return out


def check_documented(types, service):
    docs = documented(service)
    is_(sorted(types.items()), sorted(docs.items()),
        f"{service}: the metrics and their types are those docs/operations.md lists")


def check_access(w, base, who, other_token):
    r = request(base, "GET", "/metrics")
    ok(r.status == 401 and r.error() == "unauthorized",
       f"{who}: no token, from loopback without --metrics-loopback: 401", r.body[:200])
    r = request(base, "GET", "/metrics", other_token)
    ok(r.status == 403 and r.error() == "forbidden", f"{who}: another role's token: 403",
       r.body[:200])
    r = request(base, "GET", "/metrics", "smd_1_nonsense")
    is_(r.status, 401, f"{who}: an unknown token: 401")
    is_(request(base, "GET", "/metrics", w.admin).status, 200, f"{who}: an admin's token: 200")


def own_address():
    """An address of this machine other than loopback, or None."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.connect(("192.0.2.1", 9))
        a = s.getsockname()[0]
    except OSError:
        return None
    finally:
        s.close()
    return None if a.startswith("127.") else a


def check_loopback_flag(w, program, other_token):
    base = w.start(program, "--metrics-loopback", listen="0.0.0.0")
    port = base.rsplit(":", 1)[1]
    r = request(f"http://127.0.0.1:{port}", "GET", "/metrics")
    is_(r.status, 200, f"{program} --metrics-loopback: no token from loopback: 200")
    r = request(f"http://127.0.0.1:{port}", "GET", "/metrics", other_token)
    is_(r.status, 200, f"{program} --metrics-loopback: from loopback any token is ignored")
    addr = own_address()
    if addr is None:
        skip(f"{program} --metrics-loopback: a request from another address",
             "no address other than loopback")
        return
    r = request(f"http://{addr}:{port}", "GET", "/metrics")
    ok(r.status == 401 and r.error() == "unauthorized",
       f"{program} --metrics-loopback: no token from {addr} (not loopback): 401")
    is_(request(f"http://{addr}:{port}", "GET", "/metrics", w.admin).status, 200,
        f"{program} --metrics-loopback: an admin's token from {addr}: 200")


# ---- the collector ---------------------------------------------------------------

def counts(values, period="2024Q1", areas=("0581-hageby", "0581-navestad", "0581-marielund")):
    return json.dumps({"counts": [
        {"indicator": "bup.nya_barn", "area": a, "period": period, "value": v}
        for a, v in zip(areas, values)]}).encode()


def collector(w):
    base = w.start("collector")
    check_access(w, base, "collector", w.submitter)
    before, _ = parse(scrape(base, w.admin).body.decode())
    post = lambda body, ctype="application/json": request(base, "POST", "/v1/counts",
                                                          w.submitter, body, ctype)
    statuses = [post(counts((1, 2, 3))).status,              # three created
                post(counts((1, 5, 3))).status,              # one updated, two unchanged
                post(counts((7, 5, 3, 4), areas=("0581-hageby", "0581-navestad",
                                                 "0581-marielund", "0581-skarblacka"))).status]
    is_(statuses, [201, 201, 201], "collector: three batches stored")
    is_(post(counts((-1,))).status, 422, "collector: a negative count: 422")
    is_(post(b"{", "application/json").status, 400, "collector: a body that is no JSON: 400")
    is_(post(counts((1,)), "text/plain").status, 415, "collector: text/plain: 415")
    is_(request(base, "POST", "/v1/counts", None, counts((1,)), "application/json").status,
        401, "collector: no token: 401")
    is_(request(base, "POST", "/v1/counts", w.submitter, b"x" * (9 << 20),
                "application/json").status, 413, "collector: a body over the limit: 413")
    is_(post(counts((9,)), "application/json").status, 201, "collector: one more stored")
    is_(request(base, "POST", "/v1/counts?dry_run=true", w.submitter, counts((8,)),
                "application/json").status, 200, "collector: a dry run: 200")
    is_(request(base, "GET", "/v1/counts?nonsense=1", w.submitter).status, 400,
        "collector: GET /v1/counts with an unknown parameter: 400")
    is_(request(base, "GET", "/v1/submissions/abc/def", w.submitter).status, 404,
        "collector: a path of no route: 404")
    # The form's batches go the same way; its refusals count as the API's.
    form = "application/x-www-form-urlencoded"
    login = request(base, "POST", "/login", body=f"token={w.submitter}".encode(), ctype=form)
    cookie = (login.headers.get("Set-Cookie") or "").split(";")[0]
    ok(login.status == 303 and cookie, "collector: the form's sign-in: 303 and a cookie")
    is_(request(base, "POST", "/submit", body=b"quarter=2024Q1&action=submit&"
                b"v:bup.nya_barn:0581-hageby=-1", ctype=form, cookie=cookie).status, 422,
        "collector: the form with a negative count: 422")
    r = settled(base, w.admin, before, 14)
    check_promtool(r, "collector")
    after, types = parse(r.body.decode())
    d = lambda name, **l: value(after, name, **l) - value(before, name, **l)
    is_(d("samlad_collector_rows_total", **{"class": "created"}), 4.0,
        "collector: created +4 (three, then the fourth batch's new key)")
    is_(d("samlad_collector_rows_total", **{"class": "updated"}), 3.0,
        "collector: updated +3 (one in each later batch)")
    is_(d("samlad_collector_rows_total", **{"class": "unchanged"}), 4.0,
        "collector: unchanged +4 (two, then two); a dry run counts nothing")
    for reason, n in (("validation_failed", 2), ("malformed_json", 1),
                      ("unsupported_media_type", 1), ("unauthorized", 1),
                      ("body_too_large", 1), ("period_locked", 0), ("other", 0)):
        is_(d("samlad_collector_batches_refused_total", reason=reason), float(n),
            f"collector: refused{{reason=\"{reason}\"}} +{n}")
    route = lambda s, m="POST", p="/v1/counts": d("samlad_http_requests_total", method=m,
                                                   route=p, status=s)
    is_(route("201"), 4.0, "collector: POST /v1/counts 201 +4")
    is_(route("200"), 1.0, "collector: POST /v1/counts 200 +1 (the dry run)")
    is_(route("422"), 1.0, "collector: POST /v1/counts 422 +1")
    is_(route("400", "GET"), 1.0, "collector: GET /v1/counts 400 +1, by its pattern")
    is_(route("404", "GET", "/v1/submissions/*"), 0.0,
        "collector: a path under /v1/submissions/* that matches no route is not that route")
    is_(route("404", "any", "unmatched"), 1.0, "collector: route=\"unmatched\" 404 +1")
    ok(route("200", "GET", "/metrics") >= 1.0, "collector: GET /metrics 200 counted")
    is_(d("samlad_http_request_duration_seconds_count", method="POST", route="/v1/counts"),
        10.0, "collector: ten POST /v1/counts timed")
    ok(not any("hageby" in str(k) or "bup" in str(k) for k in after),
       "collector: no area or indicator in any label")
    ok(value(after, "process_start_time_seconds") > 1.7e9, "collector: the start time")
    check_documented(types, "collector")
    check_loopback_flag(w, "collector", w.submitter)


# ---- the aggregator ----------------------------------------------------------------

def wait_for(fn, what):
    for _ in range(300):
        v = fn()
        if v:
            return v
        time.sleep(0.1)
    raise RuntimeError(f"waited in vain for {what}")


def aggregator(w):
    col = w.start("collector")
    base = w.start("aggregator", "--record-interval-ms", "50")
    check_access(w, base, "aggregator", w.analyst)
    is_(request(base, "GET", "/metrics", w.analyst).status, 403,
        "aggregator: an analyst's token: 403")
    pub = w.start("aggregator", "--public", "--record-threads", "0")
    r = request(pub, "GET", "/metrics")
    is_(r.status, 401, "aggregator --public: /metrics still needs a token: 401")
    is_(request(col, "POST", "/v1/counts", w.submitter, counts((11, 12, 13)),
                "application/json").status, 201, "aggregator: counts posted")
    newest = int(psql("SELECT max(id) FROM submission", w.name))
    catalogue = int(psql("SELECT version FROM catalogue_version", w.name))
    scraped = lambda: parse(scrape(base, w.admin).body.decode())[0]
    before = wait_for(lambda: (s := scraped()) and
                      value(s, "samlad_aggregator_recorded_data_version") == newest and s,
                      "the recorder")
    is_(value(before, "samlad_aggregator_catalogue_version"), float(catalogue),
        "aggregator: the catalogue version is the database's")
    is_(value(before, "samlad_aggregator_data_version"), float(newest),
        "aggregator: the data version is the newest submission id")
    is_(value(before, "samlad_aggregator_record_failures_total"), 0.0,
        "aggregator: no protection failed")
    series = "/v1/series?indicator=bup.nya_barn&area=0581"
    got = [request(base, "GET", series, w.analyst).status for _ in range(2)]
    is_(got, [200, 200], "aggregator: two series answered")
    is_(request(base, "GET", "/v1/series?indicator=bup.nya_barn", w.analyst).status, 400,
        "aggregator: a series without its area: 400")
    is_(request(base, "GET", series).status, 401, "aggregator: a series without a token: 401")
    r = settled(base, w.admin, before, 4)
    check_promtool(r, "aggregator")
    after, types = parse(r.body.decode())
    d = lambda name, **l: value(after, name, **l) - value(before, name, **l)
    route = lambda s: d("samlad_http_requests_total", method="GET", route="/v1/series", status=s)
    is_(route("200"), 2.0, "aggregator: GET /v1/series 200 +2")
    is_(route("400"), 1.0, "aggregator: GET /v1/series 400 +1")
    is_(route("401"), 1.0, "aggregator: GET /v1/series 401 +1")
    is_(d("samlad_http_request_duration_seconds_count", method="GET", route="/v1/series"),
        4.0, "aggregator: four series requests timed")
    ok(value(after, "samlad_aggregator_recorded_tables_total") > 0,
       "aggregator: the recorder protected the posted tables")
    ok(d("samlad_http_requests_total", method="GET", route="/metrics", status="200") >= 1,
       "aggregator: the scrapes are counted")
    ok(value(after, "samlad_aggregator_cache_hits_total") +
       value(after, "samlad_aggregator_cache_misses_total") >
       value(before, "samlad_aggregator_cache_hits_total") +
       value(before, "samlad_aggregator_cache_misses_total"),
       "aggregator: the series' tables were looked up in the state cache")
    ok(value(after, "samlad_aggregator_cache_tables") >= 1, "aggregator: the cache holds a table")
    ok(not any("0581" in str(k) or "bup" in str(k) for k in after),
       "aggregator: no area or indicator in any label")
    check_documented(types, "aggregator")
    check_loopback_flag(w, "aggregator", w.analyst)


def main():
    service = sys.argv[1]
    if not PGHOST or not TEMPLATE:
        print("1..0 # SKIP no test cluster (run scripts/test.sh)")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        w = World(tmp)
        try:
            (collector if service == "collector" else aggregator)(w)
        finally:
            w.stop()
            if tap.failed:
                with open(os.path.join(tmp, "programs.log")) as f:
                    for line in f.read().splitlines()[-40:]:
                        print("# " + line)
    return done()


if __name__ == "__main__":
    sys.exit(main())
