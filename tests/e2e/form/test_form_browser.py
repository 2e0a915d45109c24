#!/usr/bin/env python3
"""The collector's form (/login, /submit) in a real browser, end to end.
Speaks TAP.

Starts the real samlad-collector on a database of its own, stores one
value through the API, and drives Debian's headless Chromium through the
DevTools protocol over a pipe (--remote-debugging-pipe: the browser reads
NUL-terminated JSON on its descriptor 3 and writes on 4, so no websocket
library is needed). The page has no script of its own; the test fills the
inputs and presses the buttons with Runtime.evaluate, as a user would:
  - signs in with Mini-Maria's submitter token and lands on the picker;
  - picks the quarter the picker chose (the last finished one);
  - sees the grid: ten cells, the stored one "lagrad" with its value;
  - fills two cells, presses Kontrollera: the check's receipt, the cells
    "ändrad" and "ny", and nothing stored (GET /v1/counts);
  - presses Skicka: the receipt, and GET /v1/counts has the values;
  - a negative value: the browser refuses it (min=0), and the server too
    when the browser does not check, with the message beside the cell;
  - Chromium logs no console message (a CSP violation would be one);
  - signs out and is sent back to /login.
"""
import fcntl
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.error
import urllib.request
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "support"))
from pgtest import free_port, psql_super, make_db  # noqa: E402
from tap import done, is_, ok  # noqa: E402

BUILD = os.environ.get("SAMLAD_BUILD_DIR", "")
PGHOST = os.environ.get("SAMLAD_TEST_PGHOST")
TEMPLATE = os.environ.get("SAMLAD_TEST_TEMPLATE")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]
IND = "minimaria.arenden"


# ---- processes and the database ------------------------------------------

def api(method, url, token, body=None):
    """(status, parsed JSON) of one API request."""
    req = urllib.request.Request(url, method=method,
                                 data=json.dumps(body).encode() if body else None)
    req.add_header("Authorization", f"Bearer {token}")
    if body:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def start_collector(db_url, log):
    port = free_port()
    proc = subprocess.Popen([os.path.join(BUILD, "collector/samlad-collector"),
                             "--listen", f"127.0.0.1:{port}", "--database-url", db_url],
                            stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=5) as r:
                if r.status == 200:
                    return proc, base
        except OSError:
            pass
        time.sleep(0.1)
    proc.kill()
    raise RuntimeError("the collector did not start")


# ---- the DevTools protocol over a pipe -----------------------------------

def high_fd(fd):
    """The same file on a descriptor of 5 or more (the old one closed):
    above 4, so that moving it onto 3 or 4 clobbers nothing, and a single
    digit, the most a POSIX shell's redirection takes."""
    high = fcntl.fcntl(fd, fcntl.F_DUPFD, 5)
    os.close(fd)
    if high > 9:
        raise RuntimeError(f"no free descriptor below 10 (got {high})")
    return high


class Browser:
    """Headless Chromium driven over --remote-debugging-pipe: messages are
    JSON, each ended by a NUL byte; the browser reads them on its fd 3 and
    writes its own on fd 4. One page target, attached in flat mode."""

    def __init__(self, tmp):
        to_r, self.to_w = os.pipe()
        self.from_r, from_w = os.pipe()
        to_r, from_w = high_fd(to_r), high_fd(from_w)
        self.err = open(os.path.join(tmp, "chromium.err"), "w+")
        # The shell puts the pipes on 3 and 4 for the browser it becomes.
        self.proc = subprocess.Popen(
            ["sh", "-c", f'exec "$0" "$@" 3<&{to_r} 4>&{from_w} {to_r}<&- {from_w}>&-',
             CHROMIUM, *CHROMIUM_FLAGS, "--remote-debugging-pipe",
             f"--user-data-dir={os.path.join(tmp, 'profile')}", "about:blank"],
            pass_fds=(to_r, from_w), stdout=subprocess.DEVNULL, stderr=self.err)
        os.close(to_r)
        os.close(from_w)
        self.buf = b""
        self.next_id = 0
        self.events = []
        self.session = None
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.call("Target.attachToTarget",
                                 {"targetId": target, "flatten": True})["sessionId"]
        self.call("Page.enable")
        self.call("Runtime.enable")

    def read_message(self, deadline):
        while b"\0" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.from_r], [], [], left)[0]:
                raise TimeoutError("no message from Chromium")
            chunk = os.read(self.from_r, 65536)
            if not chunk:
                raise EOFError("Chromium closed the pipe")
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def call(self, method, params=None, timeout=30):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if self.session:
            msg["sessionId"] = self.session
        os.write(self.to_w, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            m = self.read_message(deadline)
            if m.get("id") == self.next_id:
                if "error" in m:
                    raise RuntimeError(f"{method}: {m['error']}")
                return m.get("result", {})
            self.events.append(m)

    def wait_event(self, name, timeout=30):
        deadline = time.monotonic() + timeout
        while True:
            for i, m in enumerate(self.events):
                if m.get("method") == name:
                    del self.events[i]
                    return m
            self.events.append(self.read_message(deadline))

    def eval(self, expression):
        r = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in r:
            raise RuntimeError(f"{expression}: {r['exceptionDetails']}")
        return r["result"].get("value")

    def navigating(self, expression):
        """Evaluates what makes the page go elsewhere and waits for the load."""
        self.events = [m for m in self.events if m.get("method") != "Page.loadEventFired"]
        self.eval(expression)
        self.wait_event("Page.loadEventFired")

    def goto(self, url):
        self.events = [m for m in self.events if m.get("method") != "Page.loadEventFired"]
        self.call("Page.navigate", {"url": url})
        self.wait_event("Page.loadEventFired")

    def console(self):
        """Console messages and log entries seen so far, but for the
        network's note of an answer 4xx (the 422 of a refused form is meant)."""
        return [m for m in self.events
                if m.get("method") == "Runtime.consoleAPICalled" or
                (m.get("method") == "Log.entryAdded" and
                 m["params"]["entry"].get("source") != "network")]

    def close(self):
        try:
            self.call("Browser.close", timeout=10)
        except (OSError, RuntimeError, TimeoutError, EOFError):
            pass
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self.to_w)
        os.close(self.from_r)
        self.err.close()


# ---- the walk through the form -------------------------------------------

def cell(b, area):
    """(value, state word, class) of one cell of the grid."""
    return b.eval(f"""(() => {{
        const i = document.querySelector('input[name="v:{IND}:{area}"]');
        if (!i) return null;
        const td = i.closest('td');
        return [i.value, td.querySelector('.state').textContent, td.className];
    }})()""")


def stored(base, token, quarter):
    status, body = api("GET", f"{base}/v1/counts?period={quarter}", token)
    return {c["area"]: c["value"] for c in body.get("counts", [])} if status == 200 else status


def walk(b, base, token):
    b.call("Log.enable")
    b.goto(base + "/submit")
    is_(b.eval("location.pathname"), "/login", "without a session /submit goes to /login")
    b.navigating(f"""document.querySelector('#token').value = {json.dumps(token)};
                     document.querySelector('form[action="/login"] button').click()""")
    is_(b.eval("location.pathname + location.search"), "/submit",
        "signing in lands on /submit")
    ok("Mini-Maria" in b.eval("document.body.textContent"), "the page names the agency")
    quarter = b.eval("document.querySelector('select#quarter').value")
    options = b.eval("[...document.querySelectorAll('select#quarter option')]"
                     ".map(o => o.value)")
    is_(len(options), 8, "the picker offers eight quarters")
    ok(options == sorted(options, reverse=True), "newest first", options)
    status, _ = api("POST", base + "/v1/counts", token,
                    {"counts": [{"indicator": IND, "area": "0581-hageby",
                                 "period": quarter, "value": 5}]})
    is_(status, 201, f"a value stored through the API for {quarter}")
    b.navigating("document.querySelector('form[action=\"/submit\"] button').click()")
    is_(b.eval("location.search"), f"?quarter={quarter}&lang=sv", "the picker's choice")
    is_(b.eval("document.querySelectorAll('input[type=number]').length"), 10,
        "the grid has ten cells")
    is_(cell(b, "0581-hageby"), ["5", "lagrad", "stored"], "the stored cell")
    is_(cell(b, "0182-boo"), ["", "ny", "new"], "an empty cell")

    b.eval(f"""document.querySelector('input[name="v:{IND}:0581-hageby"]').value = '7';
               document.querySelector('input[name="v:{IND}:0182-boo"]').value = '3';""")
    b.navigating("document.querySelector('button[value=check]').click()")
    text = b.eval("document.querySelector('.receipt').textContent")
    ok(text.startswith("Kontrollerat: 1 nya, 1 ändrade, 0 oförändrade."),
       "Kontrollera shows what a submission would do", text)
    is_(cell(b, "0581-hageby"), ["7", "ändrad", "changed"], "after the check: changed")
    is_(cell(b, "0182-boo"), ["3", "ny", "new"], "after the check: new")
    is_(stored(base, token, quarter), {"0581-hageby": 5}, "the check stored nothing")

    b.navigating("document.querySelector('button[value=submit]').click()")
    text = b.eval("document.querySelector('.receipt').textContent")
    ok(text.startswith("Sparat: 1 nya, 1 ändrade, 0 oförändrade. Inlämning "),
       "Skicka shows the receipt", text)
    is_(cell(b, "0581-hageby"), ["7", "lagrad", "stored"], "after submitting: stored")
    is_(stored(base, token, quarter), {"0581-hageby": 7, "0182-boo": 3},
        "GET /v1/counts has the values entered in the browser")

    b.eval(f"document.querySelector('input[name=\"v:{IND}:0182-alta\"]').value = '-2'")
    is_(b.eval(f"document.querySelector('input[name=\"v:{IND}:0182-alta\"]').validity.valid"),
        False, "the browser itself refuses -2 (min=0)")
    # The server must refuse it too, as it would for a browser that does
    # not check: the form is sent without the browser's validation.
    b.navigating("""const f = document.querySelector('button[value=submit]').form;
                    f.noValidate = true;
                    document.querySelector('button[value=submit]').click()""")
    is_(cell(b, "0182-alta"), ["-2", "ny", "new"], "a negative value is kept as typed")
    is_(b.eval(f"document.querySelector('input[name=\"v:{IND}:0182-alta\"]')"
               ".closest('td').querySelector('.error').textContent"),
        "Ett antal kan inte vara negativt; skriv 0 eller mer.\n", "its error beside it")
    is_(stored(base, token, quarter), {"0581-hageby": 7, "0182-boo": 3}, "nothing stored")
    is_(b.console(), [], "no console message (nothing the CSP refused)")
    is_(len([m for m in b.events if m.get("method") == "Log.entryAdded"]), 1,
        "the log's one entry is the network's note of the 422")

    b.navigating("document.querySelector('form[action=\"/logout\"] button').click()")
    is_(b.eval("location.pathname"), "/login", "signing out goes to /login")
    b.goto(base + "/submit")
    is_(b.eval("location.pathname"), "/login", "and /submit needs a session again")


def main():
    if not PGHOST or not TEMPLATE:
        print("1..0 # SKIP run through scripts/test.sh")
        return 0
    if not os.path.exists(CHROMIUM):
        print("1..0 # SKIP no chromium")
        return 0
    tmp = tempfile.mkdtemp(prefix="samlad-form-")
    name = f"t_form_browser_{os.getpid()}"
    make_db(name)
    admin_url = f"postgresql:///{name}?host={PGHOST}&user=samlad_admin"
    col_url = f"postgresql:///{name}?host={PGHOST}&user=samlad_collector"
    proc = browser = None
    log = open(os.path.join(tmp, "collector.log"), "w")
    try:
        token = subprocess.run([os.path.join(BUILD, "tools/samlad-admin"), "token", "create",
                                "--role", "submitter", "--agency", "minimaria"],
                               check=True, capture_output=True, text=True,
                               env={**os.environ, "DATABASE_URL": admin_url}).stdout.strip()
        proc, base = start_collector(col_url, log)
        browser = Browser(tmp)
        walk(browser, base, token)
    except Exception as e:  # a broken walk is a failed test, not a crash
        ok(False, "the walk through the form ran to its end", repr(e))
        traceback.print_exc()
    finally:
        if browser:
            browser.close()
        if proc:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=20)
        log.close()
        psql_super(f"DROP DATABASE IF EXISTS {name}")
        shutil.rmtree(tmp, ignore_errors=True)
    return done()


if __name__ == "__main__":
    sys.exit(main())
