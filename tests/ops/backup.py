#!/usr/bin/python3
"""Back it up, bring it back (docs/operations.md, "Backing up and
restoring"): data in several states (submissions, a revision, a catalogue
import), the aggregator's answers now and as of several times (receipts'
own times and times between the states), a pg_dump made and restored into
a fresh cluster exactly as the docs say, and every answer of an aggregator
on the restored database byte-for-byte the same. Speaks TAP."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from opslib import *  # noqa: E402,F401


def backup_restore(c, dump):
    """The commands of docs/operations.md: pg_dump -Fc; in a fresh cluster
    the three roles, the database, pg_restore."""
    sh([os.path.join(PG_BIN, "pg_dump"), "-Fc", "-h", "127.0.0.1", "-p", str(c.port),
        "-U", "samlad_admin", "-d", "samlad", "-f", dump])
    os.chmod(dump, 0o644)
    r = Cluster(tempdir("restored"))
    r.init()
    r.start()
    r.psql("CREATE ROLE samlad_admin LOGIN CREATEROLE", db="postgres")
    r.psql("CREATE ROLE samlad_collector LOGIN", db="postgres")
    r.psql("CREATE ROLE samlad_aggregator LOGIN", db="postgres")
    r.psql("CREATE DATABASE samlad OWNER samlad_admin", db="postgres")
    sh([os.path.join(PG_BIN, "pg_restore"), "-h", "127.0.0.1", "-p", str(r.port), "-U",
        "postgres", "-d", "samlad", "--exit-on-error", "--single-transaction", dump])
    return r


STATE_SUMS = ("SELECT count(*) || ' ' || coalesce(sum(hashtext(t::text)), 0)"
              "  FROM %s t")


def main():
    c = migrated_cluster("backup")
    sub, analyst = token(c, "submitter", "bup"), token(c, "analyst")
    col = Service("collector/samlad-collector", c.url("samlad_collector"))
    agg = Service("aggregator/samlad-aggregator", c.url("samlad_aggregator"))
    as_ofs = load_states(c, col, sub)
    wait_for("the recorder reaches the newest data", lambda: recorded_up_to(c))
    states = c.psql("SELECT count(*) FROM table_state")
    diag("%s recorded table states, %d as_of times" % (states, len(as_ofs) - 1))
    ok(int(states) >= 5, "several table states are recorded", states, ">= 5")
    want = answers(agg, analyst, as_ofs)
    ok(all(v[0] == 200 for v in want.values()), "every read answers 200 before the backup",
       [k for k, v in want.items() if v[0] != 200][:1], [])
    versions = {v[1] for v in want.values()}
    ok(len(versions) >= 4, "the answers are of several data versions", sorted(versions), ">= 4")

    r = backup_restore(c, os.path.join(tempdir("dump"), "samlad.dump"))
    for table in ("count_history", "submission", "table_state", "record_progress",
                  "catalogue_import", "token"):
        ok(r.psql(STATE_SUMS % table) == c.psql(STATE_SUMS % table),
           "%s is restored whole" % table, r.psql(STATE_SUMS % table), c.psql(STATE_SUMS % table))
    agg2 = Service("aggregator/samlad-aggregator", r.url("samlad_aggregator"), tag="-restored")
    compare("every table and series, now and as of each time, is byte-for-byte the same "
            "from the restored database", answers(agg2, analyst, as_ofs), want)
    ok(r.psql(STATE_SUMS % "table_state") == c.psql(STATE_SUMS % "table_state"),
       "reading the restored database recorded nothing new (the recorded states answered)")

    # The roles' grants came back: the restored database takes new data.
    col2 = Service("collector/samlad-collector", r.url("samlad_collector"), tag="-restored")
    st, rec = post(col2, sub, [("bup.nya_barn", NORRKOPING[4], "2026Q1", 12)])
    ok(st == 201 and rec.get("created") == 1, "a collector on the restored database stores a "
       "new count with the old token", (st, rec), 201)
    ok(get(agg2.base + READS[0], analyst)[2] == want[(READS[0], None)][2],
       "the new count (2026) leaves the 2025 table as it was")
    st, rec = post(col2, sub, [("bup.nya_barn", "0581", "2026Q1", 12)])
    ok(st == 422 and rec.get("error") == "validation_failed",
       "bad input is refused on the restored database as before", (st, rec), 422)


if __name__ == "__main__":
    sys.exit(run_main(main))
