"""What the operations tests share: PostgreSQL clusters of their own (made
with scripts/pg.sh, owned by the unprivileged user samlad-pg when run as
root, as scripts/test.sh does) listening on free loopback ports, the real
programs, HTTP, and TAP output. Every wait polls with a deadline."""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from pgtest import free_port  # noqa: E402,F401
import tap  # noqa: E402
from tap import diag  # noqa: E402,F401

SRC = os.environ.get("SAMLAD_SOURCE_DIR", "")
BUILD = os.environ.get("SAMLAD_BUILD_DIR", "")
PG_BIN = os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin")
PG_USER = "samlad-pg"

# ---- TAP ------------------------------------------------------------------

_cleanups = []


def ok(cond, name, got=None, want=None):
    """One TAP line (tests/support/tap.py); on failure the values compared,
    shortened."""
    detail = ""
    if got is not None or want is not None:
        detail = "got:  %r\nwant: %r" % (str(got)[:600], str(want)[:600])
    return tap.ok(cond, name, detail)


def bail(msg):
    print("Bail out! " + msg, flush=True)
    raise SystemExit(1)


def at_exit(fn):
    _cleanups.append(fn)


finish = tap.done


def run_main(main):
    """Runs main() (skipped outside scripts/test.sh), then every cleanup,
    newest first, also after a failure."""
    if not SRC or not BUILD or not os.environ.get("SAMLAD_TEST_PGHOST"):
        print("1..0 # SKIP run through scripts/test.sh")
        return 0
    t0 = time.monotonic()
    try:
        main()
    finally:
        for fn in reversed(_cleanups):
            try:
                fn()
            except Exception as e:  # a cleanup must not hide the result
                diag("cleanup: %s" % e)
        diag("took %.1f s" % (time.monotonic() - t0))
    return finish()


# ---- processes ------------------------------------------------------------

def as_owner(argv):
    """argv run as the clusters' owner: samlad-pg when we are root."""
    return (["runuser", "-u", PG_USER, "--"] + argv) if os.getuid() == 0 else argv


def sh(argv, check=True, **kw):
    r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)
    if check and r.returncode != 0:
        bail("%s: exit %d: %s" % (" ".join(argv[:4]), r.returncode, r.stderr.strip()[:400]))
    return r


def wait_for(what, fn, seconds=30.0):
    """Polls fn() every 50 ms until it returns a true value, which is
    returned; bails out after `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        v = fn()
        if v:
            return v
        if time.monotonic() > deadline:
            bail("%s: not within %.0f s" % (what, seconds))
        time.sleep(0.05)


def eventually(fn, seconds=15.0):
    """True when fn() turns true within `seconds` (polled every 50 ms)."""
    deadline = time.monotonic() + seconds
    while not fn():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def tempdir(tag):
    d = tempfile.mkdtemp(prefix="samlad-%s." % tag, dir="/tmp")
    os.chmod(d, 0o755)
    at_exit(lambda: shutil.rmtree(d, ignore_errors=True))
    return d


# ---- clusters -------------------------------------------------------------

class Cluster:
    """A cluster in dir/data, its socket in dir/run, on 127.0.0.1:port."""

    def __init__(self, dir, port=None):
        self.dir = dir
        self.port = port or free_port()
        self.running = False

    def pg_sh(self, *args, check=True):
        """scripts/pg.sh COMMAND DIR ARGS; its psql finds the port in PGPORT."""
        return sh(["bash", os.path.join(SRC, "scripts/pg.sh")] + list(args[:1]) + [self.dir]
                  + list(args[1:]), check=check, env=dict(os.environ, PGPORT=str(self.port)))

    def configure(self, *lines):
        """Appends settings to postgresql.conf (later lines win)."""
        text = "".join(l + "\n" for l in lines)
        sh(as_owner(["tee", "-a", os.path.join(self.dir, "data/postgresql.conf")]), input=text)

    def init(self):
        """initdb (pg.sh init fast), listening on loopback TCP too."""
        self.pg_sh("init", "fast")
        self.configure("listen_addresses = '127.0.0.1'", "port = %d" % self.port)

    def start(self):
        self.pg_sh("start")
        self.running = True
        at_exit(self.stop)

    def stop(self):
        if self.running:
            self.pg_sh("stop", check=False)
            self.running = False

    def pg_ctl(self, *args):
        return sh(as_owner([os.path.join(PG_BIN, "pg_ctl"), "-D",
                            os.path.join(self.dir, "data")] + list(args)))

    def psql(self, sql, db="samlad", user="postgres"):
        """One statement as `user` over TCP; its output unaligned, trimmed."""
        r = sh([os.path.join(PG_BIN, "psql"), "-X", "-q", "-tA", "-v", "ON_ERROR_STOP=1",
                "-h", "127.0.0.1", "-p", str(self.port), "-U", user, "-d", db, "-c", sql])
        return r.stdout.strip()

    def url(self, role, db="samlad", extra=""):
        return "postgresql://%s@127.0.0.1:%d/%s%s" % (role, self.port, db, extra)


def migrated_cluster(tag):
    """A started cluster with the database samlad migrated by samlad-admin
    and the demo catalogue imported, as scripts/test.sh makes its own."""
    c = Cluster(tempdir(tag))
    c.init()
    c.start()
    c.pg_sh("bootstrap", "samlad")
    admin(c, "migrate")
    admin(c, "catalogue", "import", os.path.join(SRC, "tests/fixtures/catalogue"))
    return c


def admin(cluster, *args):
    """samlad-admin as samlad_admin; its stdout."""
    env = dict(os.environ, DATABASE_URL=cluster.url("samlad_admin"))
    return sh([os.path.join(BUILD, "tools/samlad-admin")] + list(args), env=env).stdout


def token(cluster, role, agency=None):
    args = ["token", "create", "--role", role] + (["--agency", agency] if agency else [])
    return admin(cluster, *args).strip().splitlines()[-1]


# ---- the programs ---------------------------------------------------------

class Service:
    """samlad-collector or samlad-aggregator on a free loopback port."""

    def __init__(self, program, db_url, *extra, tag=""):
        self.port = free_port()
        self.base = "http://127.0.0.1:%d" % self.port
        self.log_path = os.path.join(BUILD, "ops-%s%s-%d-%d.log" % (
            os.path.basename(program), tag, os.getpid(), self.port))
        argv = [os.path.join(BUILD, program), "--listen", "127.0.0.1:%d" % self.port,
                "--database-url", db_url] + list(extra)
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(argv, stdout=self.log, stderr=self.log)
        at_exit(self.stop)
        wait_for("%s answers /healthz" % program, self.healthy, 15)

    def healthy(self):
        if self.proc.poll() is not None:
            bail("%s exited; see %s" % (self.proc.args[0], self.log_path))
        return get(self.base + "/healthz")[0] == 200

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()

    def log_text(self):
        with open(self.log_path) as f:
            return f.read()


def request(method, url, token=None, body=None, headers=None):
    """(status, headers as a dict with lower-case names, body bytes);
    status 0 when no answer came."""
    h = dict(headers or {})
    if token:
        h["Authorization"] = "Bearer " + token
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        h["Content-Type"] = "application/json"
    req = urllib.request.Request(url, data=data, headers=h, method=method)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, {k.lower(): v for k, v in r.headers.items()}, r.read()
    except urllib.error.HTTPError as e:
        return e.code, {k.lower(): v for k, v in e.headers.items()}, e.read()
    except (urllib.error.URLError, OSError):
        return 0, {}, b""


def get(url, token=None):
    return request("GET", url, token)


def counts_body(rows):
    """A POST /v1/counts body of (indicator, area, period, value) rows."""
    return {"counts": [{"indicator": i, "area": a, "period": p, "value": v}
                       for i, a, p, v in rows]}


def post(collector, tok, rows, key=None):
    """Posts rows; (status, receipt or error as a dict)."""
    st, _, body = request("POST", collector.base + "/v1/counts", tok, counts_body(rows),
                          {"Idempotency-Key": key} if key else None)
    try:
        return st, json.loads(body)
    except ValueError:
        return st, {}


def post_ok(collector, tok, rows):
    st, r = post(collector, tok, rows)
    if st != 201:
        bail("post: %d %r" % (st, r))
    return r


# The reads compared in the tests: tables and series in every format.
READS = [
    "/v1/table?indicator=bup.nya_barn&area=0581&year=2025",
    "/v1/table?indicator=bup.nya_barn&area=0581&year=2025&format=csv",
    "/v1/table?indicator=bup.aktuella_barn&area=0182&year=2025",
    "/v1/series?indicator=bup.nya_barn&area=0581&from=2025Q1&to=2025Q4",
    "/v1/series?indicator=bup.nya_barn&area=0581-hageby&from=2025Q1&to=2025Q4&format=csv",
    "/v1/series?indicator=bup.nya_barn&area=0581&from=2025Q1&to=2025Q4&freq=year",
    "/v1/series?indicator=bup.nya_barn&area=0581&from=2025Q1&to=2025Q4&format=sdmx-json",
    "/v1/series?indicator=bup.aktuella_barn&area=0182-boo&from=2025Q1&to=2025Q4",
]

NORRKOPING = ["0581-klockaretorpet", "0581-marielund", "0581-hageby", "0581-navestad",
              "0581-skarblacka"]
NACKA = ["0182-boo", "0182-fisksatra", "0182-saltsjobaden", "0182-sicklaon", "0182-alta"]


def with_as_of(path, as_of):
    return path + "&as_of=" + urllib.request.quote(as_of, safe="") if as_of else path


# An SDMX message's id and preparation time are of the message, made for
# each answer (docs/aggregator.md); everything else must be equal.
_SDMX_META = re.compile(rb'"id":"samlad-[0-9a-f]{16}","prepared":"[0-9TZ:-]{20}"')


def _comparable(body):
    return _SDMX_META.sub(b'"id":"samlad-ID","prepared":"TIME"', body, count=1)


def answers(aggregator, tok, as_ofs):
    """Every READS path for every as_of (None: now): {(path, as_of): (status,
    data version, body)}; a 503 is asked again. An SDMX body's message id and
    time are blanked, the rest kept byte for byte."""
    out = {}
    for a in as_ofs:
        for p in READS:
            url = aggregator.base + with_as_of(p, a)
            r = wait_for("an answer to " + url, lambda: (lambda x: x if x[0] != 503 else None)(
                get(url, tok)), 30)
            out[(p, a)] = (r[0], r[1].get("samlad-data-version"), _comparable(r[2]))
    return out


def compare(name, got, want):
    """One TAP line for two sets of answers: every one byte-for-byte equal."""
    diff = [k for k in want if got.get(k) != want[k]]
    ok(not diff and len(got) == len(want), "%s (%d answers)" % (name, len(want)),
       diff[:1] and got.get(diff[0]), diff[:1] and want[diff[0]])


def load_states(c, col, sub):
    """Four submissions and an import between them; the as_of times to read."""
    times = [db_now(c)]                                   # before everything
    r1 = post_ok(col, sub, [("bup.nya_barn", a, q, 10 + i * 7 + n)
                            for i, a in enumerate(NORRKOPING)
                            for n, q in enumerate(["2025Q1", "2025Q2", "2025Q3"])]
                 + [("bup.aktuella_barn", a, "2025Q1", 20 + i) for i, a in enumerate(NACKA)])
    times += [r1["received_at"], db_now(c)]
    # Small counts, so that cells are hidden.
    r2 = post_ok(col, sub, [("bup.nya_barn", a, "2025Q4", 3 + i) for i, a in enumerate(NORRKOPING)]
                 + [("bup.aktuella_barn", a, "2025Q2", 2 + i) for i, a in enumerate(NACKA)])
    times += [r2["received_at"], db_now(c)]
    # A revision of some of the first values.
    r3 = post_ok(col, sub, [("bup.nya_barn", NORRKOPING[0], "2025Q1", 4),
                            ("bup.nya_barn", NORRKOPING[2], "2025Q2", 40)])
    ok(r3["updated"] == 2, "the third submission revises two values", r3, 2)
    times += [r3["received_at"], db_now(c)]
    admin(c, "catalogue", "import", os.path.join(SRC, "tests/fixtures/catalogue"), "--suppress-below", "3")
    times.append(db_now(c))
    r4 = post_ok(col, sub, [("bup.nya_barn", NORRKOPING[1], "2025Q4", 2),
                            ("bup.aktuella_barn", NACKA[3], "2025Q3", 9)])
    times.append(r4["received_at"])
    return [None] + times


def db_now(cluster):
    """The database's clock in UTC, to the microsecond, as RFC 3339."""
    return cluster.psql("SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC',"
                        " 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')")


def recorded_up_to(cluster):
    """True when record_progress has reached the newest submission and
    catalogue version."""
    return cluster.psql(
        "SELECT (SELECT max(data_version) FROM record_progress) ="
        "       coalesce((SELECT max(id) FROM submission), 0)"
        "   AND (SELECT max(catalogue_version) FROM record_progress) ="
        "       (SELECT version FROM catalogue_version)") == "t"
