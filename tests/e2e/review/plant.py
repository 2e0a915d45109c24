"""Plants the demo data (samlad-admin demo-data) straight into a database,
as if every agency had posted each quarter through the collector: one
submission per agency and quarter, received ten days after the quarter
ended, except the ones named in `late` (received 75 days after) and the
ones in `unreported` (left out), so that the review's completeness table
has something to show. Used by the browser test and by bench/review.sh.

    plant(psql_argv, demo_dir, late={("bup", "2024Q2")},
          unreported={("minimaria", "2024Q3")})

psql_argv is the command that runs psql as the schema owner, e.g.
["psql", "postgresql:///db?host=/tmp/x/run&user=samlad_admin"].
"""
import csv
import os
import subprocess
import tempfile

SQL = r"""
\set ON_ERROR_STOP on
BEGIN;
CREATE TEMP TABLE demo (agency text, indicator text, area text, period text, value int);
\copy demo FROM '{rows}' WITH (FORMAT csv)
CREATE TEMP TABLE sub AS
  SELECT agency, p, gen_random_uuid() AS uuid,
         make_timestamptz(p / 10, (p % 10) * 3, 1, 0, 0, 0, 'UTC') + interval '1 month'
           + CASE WHEN (agency, p) IN ({late}) THEN interval '75 days'
                  ELSE interval '10 days' END AS received_at
    FROM (SELECT DISTINCT agency,
                 substr(period, 1, 4)::int * 10 + substr(period, 6, 1)::int AS p
            FROM demo) d;
INSERT INTO token (secret_sha256, role, agency_id)
  SELECT sha256(convert_to('plant-' || code, 'UTF8')), 'submitter', id FROM agency;
INSERT INTO submission (uuid, agency_id, token_id, received_at, body_sha256, rows,
                        created, updated, unchanged)
  SELECT s.uuid, a.id, (SELECT min(t.id) FROM token t WHERE t.agency_id = a.id),
         s.received_at, sha256(convert_to(s.uuid::text, 'UTF8')), 0, 0, 0, 0
    FROM sub s JOIN agency a ON a.code = s.agency
   ORDER BY s.received_at, a.code;
INSERT INTO count_history (indicator_id, area_id, period, submission_id, value)
  SELECT i.id, ar.id, s.p, sm.id, d.value
    FROM demo d
    JOIN indicator i ON i.code = d.indicator
    JOIN area ar ON ar.code = d.area
    JOIN sub s ON s.agency = d.agency
              AND s.p = substr(d.period, 1, 4)::int * 10 + substr(d.period, 6, 1)::int
    JOIN submission sm ON sm.uuid = s.uuid;
COMMIT;
"""


def period_int(text):
    return int(text[:4]) * 10 + int(text[5])


def plant(psql_argv, demo_dir, late=(), unreported=(), extra_rows=()):
    """Loads every demo CSV; extra_rows are (agency, indicator, area,
    period, value) tuples that replace or add demo rows."""
    skip = {(a, p) for a, p in unreported}
    extra = {(r[1], r[2], r[3]): r for r in extra_rows}
    with tempfile.TemporaryDirectory() as tmp:
        rows = os.path.join(tmp, "rows.csv")
        with open(rows, "w", newline="", encoding="utf-8") as out:
            w = csv.writer(out)
            for name in sorted(os.listdir(demo_dir)):
                agency = name[:-4]
                with open(os.path.join(demo_dir, name), encoding="utf-8") as f:
                    for r in csv.DictReader(f):
                        key = (r["indicator"], r["area"], r["period"])
                        if (agency, r["period"]) in skip or key in extra:
                            continue
                        w.writerow([agency, r["indicator"], r["area"], r["period"], r["value"]])
            for r in extra.values():
                w.writerow(list(r))
        os.chmod(tmp, 0o755)
        os.chmod(rows, 0o644)
        late_sql = ", ".join(f"('{a}', {period_int(p)})" for a, p in late) or "(NULL, NULL)"
        script = SQL.replace("{rows}", rows).replace("{late}", late_sql)
        subprocess.run(psql_argv + ["-q", "-X"], input=script, text=True, check=True,
                       stdout=subprocess.DEVNULL)
