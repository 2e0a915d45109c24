#!/usr/bin/python3
"""Several aggregators behind a load balancer (docs/operations.md, "Several
aggregators"): two on one database, one running the recorder and one that
never does (--record-threads 0), give byte-for-byte equal answers to the
same requests, now and as of every time, also right after a new post, and
the same data version header. Speaks TAP."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from opslib import *  # noqa: E402,F401


def main():
    c = migrated_cluster("balance")
    sub, analyst = token(c, "submitter", "bup"), token(c, "analyst")
    col = Service("collector/samlad-collector", c.url("samlad_collector"))
    a1 = Service("aggregator/samlad-aggregator", c.url("samlad_aggregator"), tag="-1")
    a2 = Service("aggregator/samlad-aggregator", c.url("samlad_aggregator"),
                 "--record-threads", "0", tag="-2")
    as_ofs = load_states(c, col, sub)
    # Read at once, from the one that does not record first: it records the
    # tables it needs itself while the other's recorder works.
    second = answers(a2, analyst, as_ofs)
    first = answers(a1, analyst, as_ofs)
    ok(all(v[0] == 200 for v in first.values()), "every read answers 200")
    compare("two aggregators on one database answer every request alike", second, first)

    r = post_ok(col, sub, [("bup.nya_barn", NORRKOPING[3], "2025Q4", 17),
                           ("bup.aktuella_barn", NACKA[0], "2025Q4", 30)])
    now = [None, r["received_at"], db_now(c)]
    second = answers(a2, analyst, now)
    first = answers(a1, analyst, now)
    newest = c.psql("SELECT id FROM submission WHERE uuid = '%s'" % r["submission"])
    ok({first[(READS[0], None)][1], second[(READS[0], None)][1]} == {newest},
       "right after a post both answer for its data version (Samlad-Data-Version)",
       (first[(READS[0], None)][1], second[(READS[0], None)][1]), newest)
    compare("right after a post, both answer now and as of it alike", second, first)
    wait_for("the recorder reaches the newest data", lambda: recorded_up_to(c))
    compare("once recorded, both still answer alike", answers(a2, analyst, now), first)
    ok("table states of" not in a2.log_text(), "the aggregator with --record-threads 0 ran no "
       "recorder round", a2.log_text()[-300:], "")


if __name__ == "__main__":
    sys.exit(run_main(main))
