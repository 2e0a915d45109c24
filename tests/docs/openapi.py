#!/usr/bin/env python3
"""docs/openapi.yaml against the code and the running programs. Speaks TAP.

  (a) the description validates against the official OpenAPI 3.0 schema
      (Debian's openapi-specification package);
  (b) every route of the route tables of collector/main.c and
      aggregator/main.c (their { "METHOD", "/path", handler } rows) is
      described, tagged with its program, and every described operation is
      a route: a missing one fails naming it;
  (c) every described operation answers on the real programs (started on
      a database of the test cluster, with tokens) with one of its
      described statuses and content types;
  (d) the answers of the main endpoints, good and bad, validate against the
      response schemas of the description (OpenAPI 3.0 schema objects made
      JSON Schema: nullable, $ref into components).
"""
import copy
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

import jsonschema
import yaml
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from pgtest import free_port, psql_super, make_db  # noqa: E402
from tap import done, ok  # noqa: E402
from client import request  # noqa: E402

SRC = os.environ.get("SAMLAD_SOURCE_DIR") or os.path.join(os.path.dirname(
    os.path.abspath(__file__)), "../..")
BUILD = os.environ.get("SAMLAD_BUILD_DIR", "")
PGHOST = os.environ.get("SAMLAD_TEST_PGHOST")
TEMPLATE = os.environ.get("SAMLAD_TEST_TEMPLATE")
OAS_SCHEMA = "/usr/share/openapi-specification/schemas/v3.0/schema.json"
PROGRAMS = {"collector": "collector/main.c", "aggregator": "aggregator/main.c"}
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


# ---- (a) the description itself ---------------------------------------------

def load_spec():
    with open(os.path.join(SRC, "docs/openapi.yaml"), encoding="utf-8") as f:
        return yaml.safe_load(f)


def check_valid(spec):
    with open(OAS_SCHEMA, encoding="utf-8") as f:
        meta = json.load(f)
    errors = sorted(jsonschema.Draft4Validator(meta).iter_errors(spec),
                    key=lambda e: list(e.absolute_path))
    ok(not errors, "docs/openapi.yaml is valid against the official OpenAPI 3.0 schema",
       "\n".join(f"{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}"
                 for e in errors[:10]))
    ok(spec.get("openapi", "").startswith("3.0."), "it is OpenAPI 3.0.x", spec.get("openapi"))


# ---- (b) the routes of the code ----------------------------------------------

ROUTE_ROW = re.compile(r'\{\s*"([A-Z]+)"\s*,\s*"(/[^"]*)"\s*,\s*(\w+)\s*[,}]')
# The query parameters a handler takes: the aggregator's query_param tables
# ({ "name", NULL, 0 }) and the collector's per-key callbacks.
# A page that reads a parameter in its handler without refusing others.
QUERY_CALL = re.compile(r'http_query\(req,\s*"([a-z_]+)"\)')
PARAM_NAME = re.compile(r'\{\s*"([a-z_]+)",\s*NULL,\s*0\s*\}|strcmp\(key,\s*"([a-z_]+)"\)')


def code_routes():
    """{(program, METHOD, /openapi/path)}: a trailing /* becomes /{...}
    matched by prefix, so it is kept as /* here."""
    out = set()
    for prog, rel in PROGRAMS.items():
        with open(os.path.join(SRC, rel), encoding="utf-8") as f:
            text = f.read()
        m = re.search(r"struct http_route routes\[\]\s*=\s*\{(.*?)\n\};", text, re.S)
        if not m:
            ok(False, f"{rel} has a route table")
            continue
        for method, path, _ in ROUTE_ROW.findall(m.group(1)):
            out.add((prog, method, path))
    return out


def code_params():
    """{(program, METHOD, path): set of query parameter names} from the file
    that defines each route's handler."""
    out = {}
    for prog, rel in PROGRAMS.items():
        folder = os.path.join(SRC, os.path.dirname(rel))
        with open(os.path.join(SRC, rel), encoding="utf-8") as f:
            rows = ROUTE_ROW.findall(f.read())
        for method, path, handler in rows:
            out[(prog, method, path)] = None
            for name in sorted(os.listdir(folder)):
                if not name.endswith(".c"):
                    continue
                with open(os.path.join(folder, name), encoding="utf-8") as f:
                    text = f.read()
                m = re.search(r"^void %s\(.*?^\}" % handler, text, re.S | re.M)
                if m:
                    names = {a or b for a, b in PARAM_NAME.findall(text)}
                    names |= set(QUERY_CALL.findall(m.group(0)))
                    out[(prog, method, path)] = names
                    break
    return out


def check_params(spec, S):
    """Every query parameter a handler takes is described, and no other."""
    params = code_params()
    # An operation both programs serve describes the parameters of both.
    union = {}
    for (prog, method, path), names in params.items():
        union.setdefault((method, path), set()).update(names or ())
    for (prog, method, path), names in sorted(params.items()):
        if not ok(names is not None, f"{prog}: the handler of {method} {path} is found"):
            continue
        names = union[(method, path)]
        for p, item in spec["paths"].items():
            if spec_path_to_route(p) != path or method.lower() not in item:
                continue
            op = item[method.lower()]
            described = {S.resolve(x)["name"] for x in op.get("parameters", [])
                         if S.resolve(x)["in"] == "query"}
            ok(described == names, f"{prog}: {method} {path} describes its query parameters "
               f"({', '.join(sorted(names)) or 'none'})",
               f"code: {sorted(names)}\ndescribed: {sorted(described)}")


def spec_path_to_route(path):
    """/v1/submissions/{uuid} -> /v1/submissions/*"""
    return re.sub(r"/\{[^}/]+\}$", "/*", path)


def described_routes(spec):
    out = set()
    for path, item in spec["paths"].items():
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            for tag in op.get("tags", []):
                if tag in PROGRAMS:
                    out.add((tag, method.upper(), spec_path_to_route(path)))
    return out


def check_routes(spec):
    code = code_routes()
    described = described_routes(spec)
    ok(len(code) >= 15, f"the route tables hold {len(code)} routes")
    for prog, method, path in sorted(code):
        ok((prog, method, path) in described,
           f"{prog}: route {method} {path} is described in docs/openapi.yaml",
           f"add the operation {method.lower()} under paths: {path} "
           f"(a trailing * as {{param}}) with tags: [{prog}]")
    for prog, method, path in sorted(described - code):
        ok(False, f"{prog}: described {method} {path} is a route of {PROGRAMS[prog]}",
           "no such row in the route table; remove it from docs/openapi.yaml or its tag")
    for path, item in spec["paths"].items():
        for method in METHODS:
            op = item.get(method)
            if op is not None and not any(t in PROGRAMS for t in op.get("tags", [])):
                ok(False, f"{method.upper()} {path} names its program in tags")


# ---- the programs -------------------------------------------------------------

class World:
    """A database of its own, both programs on it, a token of each role."""

    def __init__(self, tmp):
        self.name = f"t_openapi_{os.getpid()}"
        make_db(self.name)
        url = f"postgresql:///{self.name}?host={PGHOST}&user="
        self.admin_url = url + "samlad_admin"
        self.procs = []
        self.log = open(os.path.join(tmp, "programs.log"), "w")
        self.submitter = self.token("--role", "submitter", "--agency", "bup")
        self.analyst = self.token("--role", "analyst")
        self.collector = self.start("collector/samlad-collector", url + "samlad_collector")
        self.aggregator = self.start("aggregator/samlad-aggregator", url + "samlad_aggregator")
        self.public = self.start("aggregator/samlad-aggregator", url + "samlad_aggregator",
                                 "--public")

    def token(self, *args):
        r = subprocess.run([os.path.join(BUILD, "tools/samlad-admin"), "token", "create",
                            *args], capture_output=True, text=True, check=True,
                           env={**os.environ, "DATABASE_URL": self.admin_url})
        return r.stdout.strip().splitlines()[-1]

    def start(self, program, db_url, *extra):
        port = free_port()
        p = subprocess.Popen([os.path.join(BUILD, program), "--listen", f"127.0.0.1:{port}",
                              "--database-url", db_url, *extra],
                             stdout=self.log, stderr=self.log)
        self.procs.append(p)
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                if request(base, "GET", "/healthz").status == 200:
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
        psql_super(f"DROP DATABASE IF EXISTS {self.name}")


BATCH = {"counts": [
    {"indicator": "bup.nya_barn", "area": a, "period": p, "value": v}
    for a, vs in (("0581-hageby", (22, 4, 30, 32)), ("0581-navestad", (45, 41, 3, 43)),
                  ("0581-klockaretorpet", (10, 11, 12, 13)), ("0581-marielund", (20, 21, 22, 23)),
                  ("0581-skarblacka", (0, 7, 8, 9)))
    for p, v in zip(("2024Q1", "2024Q2", "2024Q3", "2024Q4"), vs)]}


def plant(w):
    r = request(w.collector, "POST", "/v1/counts", w.submitter,
                json.dumps(BATCH).encode(), "application/json")
    if r.status != 201:
        raise RuntimeError(f"planting: {r.status} {r.body[:300]!r}")
    return r


# ---- OpenAPI 3.0 schema objects as JSON Schema ------------------------------

DROP = {"nullable", "example", "discriminator", "readOnly", "writeOnly", "xml",
        "externalDocs", "deprecated", "description"}


def to_json_schema(node):
    """The OpenAPI 3.0 dialect made draft-4 JSON Schema: `nullable: true`
    admits null (in `type` and `enum`, or by anyOf around a $ref or a
    composition); the annotations JSON Schema does not know are dropped."""
    if isinstance(node, list):
        return [to_json_schema(x) for x in node]
    if not isinstance(node, dict):
        return node
    out = {k: to_json_schema(v) for k, v in node.items() if k not in DROP}
    if "properties" in node:  # property names are data, not keywords
        out["properties"] = {k: to_json_schema(v) for k, v in node["properties"].items()}
    if node.get("nullable") is True:
        if "enum" in out:
            out["enum"] = out["enum"] + [None]
        if "type" in out:
            out["type"] = [out["type"], "null"]
        elif "$ref" in out or "allOf" in out or "anyOf" in out or "oneOf" in out:
            out = {"anyOf": [{"type": "null"}, out]}
    return out


class Schemas:
    def __init__(self, spec):
        self.spec = spec
        self.components = to_json_schema(spec["components"])

    def resolve(self, node):
        """A $ref of the description, followed."""
        while isinstance(node, dict) and "$ref" in node:
            cur = self.spec
            for part in node["$ref"][2:].split("/"):
                cur = cur[part]
            node = cur
        return node

    def errors(self, schema, instance):
        root = {"allOf": [to_json_schema(schema)], "components": self.components}
        v = jsonschema.Draft4Validator(root)
        return ["%s: %s" % ("/".join(map(str, e.absolute_path)), e.message[:300])
                for e in v.iter_errors(instance)]


def operation(spec, method, path):
    item = spec["paths"].get(path) or {}
    return item.get(method.lower())


def check_answer(S, op_or_resp, ans, name, want_status=None):
    """The answer's status is described (for op_or_resp an operation) and
    its body validates against the schema of its content type."""
    if want_status is not None and not ok(ans.status == want_status, f"{name}: status {want_status}",
                                          f"got {ans.status}: {ans.body[:300]!r}"):
        return
    if "responses" in op_or_resp:
        resp = op_or_resp["responses"].get(str(ans.status))
        if not ok(resp is not None, f"{name}: status {ans.status} is described",
                  f"described: {sorted(op_or_resp['responses'])}; body {ans.body[:200]!r}"):
            return
    else:
        resp = op_or_resp
    resp = S.resolve(resp)
    content = resp.get("content")
    if not content:
        ok(not ans.body, f"{name}: no body, as described", ans.body[:200])
        return
    if not ok(ans.type() in content, f"{name}: content type {ans.type()} is described",
              f"described: {sorted(content)}"):
        return
    schema = content[ans.type()].get("schema", {})
    if "json" in ans.type():
        try:
            body = ans.json()
        except ValueError as e:
            ok(False, f"{name}: the body is JSON", e)
            return
    else:
        # A binary body (a workbook) is checked as the string it is described as.
        body = ans.body.decode("utf-8", "replace")
    errs = S.errors(schema, body)
    ok(not errs, f"{name}: the body validates against its described schema", "\n".join(errs[:8]))


# ---- (c) every described operation answers ----------------------------------

SAMPLE = {"indicator": "bup.nya_barn", "area": "0581", "year": "2024", "period": "2024Q1",
          "quarter": "2024Q1"}


def sample_request(S, w, base, method, path, op, receipt):
    """(method, target, token, body, content type) for a described
    operation on `base`: required parameters from SAMPLE, the token of the
    program's own reader (a submitter on the collector, an analyst on the
    aggregator)."""
    collector = base == w.collector
    token = w.submitter if collector else w.analyst
    target = path.replace("{uuid}", receipt).replace("{year}", "2024")
    query = []
    for p in op.get("parameters", []):
        p = S.resolve(p)
        if p["in"] == "query" and p.get("required"):
            query.append(f"{p['name']}={SAMPLE[p['name']]}")
    if query:
        target += "?" + "&".join(query)
    body = ctype = None
    if method == "post" and path == "/v1/counts":
        target += "?dry_run=true"
        body, ctype = json.dumps(BATCH).encode(), "application/json"
    elif method == "post" and path == "/login":
        body, ctype, token = f"token={token}".encode(), "application/x-www-form-urlencoded", None
    elif method == "post" and path.startswith("/submit"):
        body, ctype, token = b"quarter=2024Q1&action=check", "application/x-www-form-urlencoded", None
    elif method in ("post", "options"):
        token = None
    return method.upper(), target, token, body, ctype


def check_every_operation(spec, S, w, receipt):
    """Every operation on every program its tags name (OPTIONS on the
    aggregator with and without --public)."""
    for path, item in spec["paths"].items():
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            tags = op.get("tags", [])
            bases = [(w.collector, "collector")] if "collector" in tags else []
            if "aggregator" in tags:
                bases.append((w.aggregator, "aggregator"))
                if method == "options":
                    bases.append((w.public, "public aggregator"))
            for b, who in bases:
                m, target, token, body, ctype = sample_request(S, w, b, method, path, op, receipt)
                ans = request(b, m, target, token, body, ctype)
                check_answer(S, op, ans, f"{who}: {m} {target.split('?')[0]} answers")


# ---- (d) the main answers against their schemas -------------------------------

def check_schemas(spec, S, w):
    A, C, P = w.aggregator, w.collector, w.public
    an, su = w.analyst, w.submitter

    def get(base, target, token, want, name, headers=None, path=None):
        op = operation(spec, "GET", path or target.split("?")[0])
        check_answer(S, op, request(base, "GET", target, token, headers=headers), name, want)

    get(A, "/v1/catalogue", an, 200, "catalogue")
    get(A, "/v1/series?indicator=bup.nya_barn&area=0581-hageby&from=2024Q1&to=2024Q4", an,
        200, "series json (suppressed points)")
    get(A, "/v1/series?indicator=bup.nya_barn&area=0581&from=2023&to=2024&freq=year", an,
        200, "series json by year (missing)")
    get(A, "/v1/series?indicator=bup.nya_barn&area=0581&from=2024Q1&to=2024Q4&format=csv", an,
        200, "series csv")
    get(A, "/v1/table?indicator=bup.nya_barn&area=0581&year=2024", an, 200, "table json")
    get(A, "/v1/table?indicator=bup.nya_barn&area=0581&year=2024&format=csv", an, 200,
        "table csv")
    get(A, "/v1/data?indicator=bup.nya_barn&area=0581*&from=2024Q1&to=2024Q4&limit=4", an,
        200, "data json, paged")
    get(A, "/v1/data?indicator=bup.nya_barn&area=0581*&from=2024Q1&to=2024Q4&format=csv", an,
        200, "data csv")
    get(A, "/v1/data?indicator=bup.nya_barn&area=0581*&from=2024Q1&to=2024Q4&format=json-stat2",
        an, 200, "data json-stat2")
    get(A, "/v1/completeness?area=0581&from=2024Q1&to=2024Q4", an, 200, "completeness")
    get(P, "/v1/catalogue", None, 200, "catalogue with --public, no token")
    get(A, "/v1/series?indicator=bup.nya_barn&area=0581&from=2024Q3&to=2024Q1", an, 400,
        "series: from after to (400)")
    get(A, "/v1/table?indicator=bup.nya_barn&area=0581&year=2024&colour=red", an, 400,
        "table: unknown parameter (400)")
    get(A, "/v1/data?indicator=bup.nya_barn&area=0581*&format=json-stat2&limit=2", an, 400,
        "data: too many cells (400)")
    get(A, "/v1/completeness?area=0581-hageby", an, 400, "completeness: a district (400)")
    get(A, "/v1/series?indicator=bup.nya_barn&area=0581", None, 401, "series: no token (401)")
    get(A, "/v1/catalogue", su, 403, "catalogue: a submitter's token (403)")
    get(A, "/v1/series?indicator=bup.nya_barn&area=0581", an, 406, "series: Accept image/png (406)",
        {"Accept": "image/png"})
    get(A, "/review/2024?area=0581", an, 200, "review page", path="/review/{year}")
    get(A, "/reporting?area=0581", None, 303, "reporting page without a session (303)")

    get(C, "/v1/counts?period=2024Q1", su, 200, "counts GET")
    get(C, "/v1/counts?period=2024Q5", su, 400, "counts GET: a bad period (400)")
    get(C, "/v1/counts?period=2024Q1", an, 403, "counts GET: an analyst's token (403)")
    get(C, "/v1/submissions?limit=1", su, 200, "submissions list")
    get(C, "/v1/submissions?limit=0", su, 400, "submissions list: limit 0 (400)")
    get(C, "/v1/submissions", None, 401, "submissions list: no token (401)")

    post = operation(spec, "POST", "/v1/counts")
    one = {"counts": [{"indicator": "bup.nya_barn", "area": "0581-hageby", "period": "2024Q1",
                       "value": 23, "flag": "provisional"}]}
    r = request(C, "POST", "/v1/counts", su, json.dumps(one).encode(), "application/json",
                {"Idempotency-Key": "openapi-1"})
    check_answer(S, post, r, "POST /v1/counts JSON", 201)
    uuid = r.json().get("submission", "") if r.status == 201 else ""
    get(C, f"/v1/submissions/{uuid}", su, 200, "submission receipt",
        path="/v1/submissions/{uuid}")
    get(C, "/v1/submissions/00000000-0000-4000-8000-000000000000", su, 404,
        "submission receipt: unknown (404)", path="/v1/submissions/{uuid}")
    r = request(C, "POST", "/v1/counts", su, json.dumps(one).encode(), "application/json",
                {"Idempotency-Key": "openapi-1"})
    check_answer(S, post, r, "POST /v1/counts: the same key and body replayed", 200)
    other = {"counts": [dict(one["counts"][0], value=24)]}
    r = request(C, "POST", "/v1/counts", su, json.dumps(other).encode(), "application/json",
                {"Idempotency-Key": "openapi-1"})
    check_answer(S, post, r, "POST /v1/counts: the key with another body (409)", 409)
    csv = b"indicator,area,period,value,flag\r\nbup.nya_barn,0581-hageby,2024Q2,5,break\r\n"
    check_answer(S, post, request(C, "POST", "/v1/counts", su, csv, "text/csv"),
                 "POST /v1/counts CSV", 201)
    check_answer(S, post, request(C, "POST", "/v1/counts?dry_run=true", su,
                                  json.dumps(BATCH).encode(), "application/json"),
                 "POST /v1/counts?dry_run=true", 200)
    bad = {"counts": [{"indicator": "bup.nya_barn", "area": "0581", "period": "2024Q1",
                       "value": -1}, {"indicator": "x", "area": "0581-hageby",
                                      "period": "2024Q9", "value": 1.5, "flag": "Break"}]}
    r = request(C, "POST", "/v1/counts", su, json.dumps(bad).encode(), "application/json")
    check_answer(S, post, r, "POST /v1/counts: invalid rows (422)", 422)
    r = request(C, "POST", "/v1/counts", su, b"indicator,area\r\nx\r\n", "text/csv")
    check_answer(S, post, r, "POST /v1/counts: a CSV with a short header", None)
    r = request(C, "POST", "/v1/counts", su, b"{", "application/json")
    check_answer(S, post, r, "POST /v1/counts: malformed JSON (400)", 400)
    r = request(C, "POST", "/v1/counts", su, b"x", "text/plain")
    check_answer(S, post, r, "POST /v1/counts: text/plain (415)", 415)
    r = request(C, "POST", "/v1/counts", None, b"{}", "application/json")
    check_answer(S, post, r, "POST /v1/counts: no token (401)", 401)

    resp = spec["components"]["responses"]
    for base, who in ((A, "aggregator"), (C, "collector")):
        check_answer(S, resp["NotFound"], request(base, "GET", "/nowhere", an),
                     f"{who}: no such path (404)", 404)
    r = request(A, "POST", "/v1/series", an, b"", "application/json")
    check_answer(S, resp["MethodNotAllowed"], r, "aggregator: POST /v1/series (405)", 405)
    r = request(C, "DELETE", "/v1/counts", su)
    check_answer(S, resp["MethodNotAllowed"], r, "collector: DELETE /v1/counts (405)", 405)


def main():
    if not BUILD or not PGHOST or not TEMPLATE:
        print("1..0 # SKIP run through scripts/test.sh")
        return 0
    spec = load_spec()
    check_valid(spec)
    check_routes(spec)
    S = Schemas(spec)
    check_params(spec, S)
    tmp = tempfile.mkdtemp(prefix="samlad-openapi-")
    os.chmod(tmp, 0o755)
    w = World(tmp)
    try:
        receipt = plant(w).json()["submission"]
        check_every_operation(spec, S, w, receipt)
        check_schemas(spec, S, w)
    finally:
        w.stop()
    return done()


if __name__ == "__main__":
    sys.exit(main())
