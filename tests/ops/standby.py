#!/usr/bin/python3
"""Lose the database machine (docs/operations.md, "A standby"): a real
streaming standby made with pg_basebackup -R, synchronous, the collector
on the primary and an aggregator on the standby, each given a multi-host
URL. The standby's aggregator records nothing and answers at the recorded
watermark until an aggregator on the primary has recorded; then it answers
the posted values, equal to the primary's byte for byte. Then the standby
is promoted and the old primary stopped while posts stream: the collector
reconnects by itself and every acknowledged submission is there. Speaks
TAP."""
import json
import os
import sys
import threading
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from opslib import *  # noqa: E402,F401

SERIES = "/v1/series?indicator=bup.nya_barn&area=0581-hageby&from=2025Q1&to=2025Q1"


def make_standby(p):
    """pg_basebackup -R of p into a cluster of its own, started."""
    s = Cluster(tempdir("standby"))
    os.makedirs(os.path.join(s.dir, "run"))
    if os.getuid() == 0:
        sh(["chown", "-R", PG_USER, s.dir])
    sh(as_owner([os.path.join(PG_BIN, "pg_basebackup"), "-D", os.path.join(s.dir, "data"),
                 "-R", "-X", "stream", "--checkpoint=fast", "-h", "127.0.0.1",
                 "-p", str(p.port), "-U", "postgres"]))
    s.configure("port = %d" % s.port, "unix_socket_directories = '%s/run'" % s.dir)
    s.start()
    return s


class Stream(threading.Thread):
    """Posts one-row batches, each with its own Idempotency-Key, asking
    again (same key) after any answer but 201 or 200, until stopped."""

    def __init__(self, col, tok):
        super().__init__(daemon=True)
        self.col, self.tok = col, tok
        self.acks = []            # (receipt, value) of every acknowledged batch
        self.refused = 0          # answers that were not acknowledgements
        self.stopping = False

    def batch(self, k):
        period = "%dQ%d" % (2019 + k // 20, 1 + (k // 5) % 4)
        return [("bup.nya_barn", NORRKOPING[k % 5], period, 100 + k)]

    def run(self):
        k = 0
        while not self.stopping and k < 120:
            key, rows = str(uuid.uuid4()), self.batch(k)
            while not self.stopping:
                st, r = post(self.col, self.tok, rows, key)
                if st in (200, 201):
                    self.acks.append((r, rows[0][3]))
                    break
                self.refused += 1
                time.sleep(0.05)
            k += 1

    def wait_acks(self, n, what):
        wait_for(what, lambda: len(self.acks) >= n, 60)


def header(agg, path, tok, name="samlad-data-version"):
    st, h, body = get(agg.base + path, tok)
    return st, h.get(name), body


def main():
    p = migrated_cluster("primary")
    sub, analyst = token(p, "submitter", "bup"), token(p, "analyst")
    s = make_standby(p)
    # Synchronous: a commit is acknowledged once the standby has it.
    p.configure("synchronous_commit = on", "synchronous_standby_names = '*'")
    p.pg_ctl("reload")
    wait_for("the standby streams synchronously", lambda: p.psql(
        "SELECT count(*) FROM pg_stat_replication WHERE sync_state = 'sync'",
        db="postgres") == "1")
    ok(s.psql("SELECT pg_is_in_recovery()") == "t", "the standby is in recovery")

    both = "postgresql://%%s@127.0.0.1:%d,127.0.0.1:%d/samlad?target_session_attrs=%%s"
    col = Service("collector/samlad-collector",
                  both % (p.port, s.port) % ("samlad_collector", "read-write"))
    agg_s = Service("aggregator/samlad-aggregator",
                    both % (s.port, p.port) % ("samlad_aggregator", "prefer-standby"),
                    tag="-standby")

    r1 = post_ok(col, sub, [("bup.nya_barn", a, "2025Q1", 20 + i)
                            for i, a in enumerate(NORRKOPING)])
    id1 = p.psql("SELECT id FROM submission WHERE uuid = '%s'" % r1["submission"])
    wait_for("the standby replays the post", lambda: s.psql(
        "SELECT count(*) FROM submission") == "1")
    st, ver, body = header(agg_s, SERIES, analyst)
    ok((st, ver) == (200, "0"), "without an aggregator on the primary the standby's answers "
       "are of the recorded watermark (Samlad-Data-Version: 0)", (st, ver), (200, "0"))
    st, h, body = get(agg_s.base + with_as_of(SERIES, r1["received_at"]), analyst)
    err = json.loads(body or b"{}").get("error")
    ok((st, err, h.get("retry-after")) == (503, "not_recorded", "1"),
       "an as_of beyond the standby's recorded states is 503 not_recorded, Retry-After 1",
       (st, err, h.get("retry-after")), (503, "not_recorded", "1"))
    ok(eventually(lambda: "hot standby" in agg_s.log_text()), "the standby's aggregator logs that it leaves "
       "recording to the primary")
    ok(p.psql("SELECT count(*) FROM record_progress") == "1", "it recorded nothing")

    agg_p = Service("aggregator/samlad-aggregator",
                    both % (p.port, s.port) % ("samlad_aggregator", "read-write"),
                    tag="-primary")
    wait_for("the standby answers the post once recorded and replayed",
             lambda: header(agg_s, SERIES, analyst)[1] == id1)
    st, ver, _ = header(agg_s, "/v1/catalogue", analyst, "samlad-catalogue-version")
    ok((st, ver) == (200, "1"), "the catalogue answer carries Samlad-Catalogue-Version",
       (st, ver), (200, "1"))
    pts = json.loads(header(agg_s, SERIES, analyst)[2])["points"]
    ok([(x["period"], x.get("value")) for x in pts] == [("2025Q1", 22)],
       "the standby's aggregator answers the posted value", pts, "2025Q1: 22")
    compare("the standby's answers equal the primary's byte for byte, now and as of the post",
            answers(agg_s, analyst, [None, r1["received_at"]]),
            answers(agg_p, analyst, [None, r1["received_at"]]))

    # Fail over while posts stream.
    stream = Stream(col, sub)
    stream.start()
    stream.wait_acks(3, "three posts acknowledged before the failover")
    s.pg_ctl("promote", "-w")
    p.stop()
    agg_p.stop()
    before = len(stream.acks)
    stream.wait_acks(before + 3, "three posts acknowledged by the new primary")
    stream.stopping = True
    stream.join(60)
    diag("%d batches acknowledged, %d answers asked again" % (len(stream.acks), stream.refused))
    ok(s.psql("SELECT pg_is_in_recovery()") == "f", "the standby is the primary now")
    acked = 1 + len(stream.acks)
    ok(s.psql("SELECT count(*) FROM submission") == str(acked),
       "every acknowledged submission is on the new primary, none twice",
       s.psql("SELECT count(*) FROM submission"), acked)
    uuids = ",".join("'%s'" % a[0]["submission"] for a in stream.acks)
    ok(s.psql("SELECT count(*) FROM submission WHERE uuid IN (%s)" % uuids) ==
       str(len(stream.acks)), "each receipt's submission is there")
    ok(s.psql("SELECT sum(value) FROM count_current c JOIN indicator i ON i.id = "
              "c.indicator_id WHERE i.code = 'bup.nya_barn' AND c.period < 20251") ==
       str(sum(a[1] for a in stream.acks)), "and so is every acknowledged value")
    newest = s.psql("SELECT max(id) FROM submission")
    wait_for("the former standby's aggregator answers the newest data",
             lambda: header(agg_s, SERIES, analyst)[1] == newest)
    ok(eventually(lambda: "accepts writes" in agg_s.log_text()), "its recorder records once the server is the "
       "primary")


if __name__ == "__main__":
    sys.exit(run_main(main))
