#!/usr/bin/env bash
# The cost of a table's states (issue 7): for tables of ten districts with
# exactly eleven states each, the cold build of the first ten (protected
# and recorded from nothing, as a request pays when none is recorded), the
# eleventh against the ten, and a cold read of the recorded table; median
# and p99 over every table. bench/README.md explains the method.
#
# Environment (optional): SAMLAD_BUILD, BENCH_MUNICIPALITIES (default 50),
# BENCH_INDICATORS (default 10).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"
TOOL=$BUILD/bench/states-bench
MUNICIPALITIES=${BENCH_MUNICIPALITIES:-50}
INDICATORS=${BENCH_INDICATORS:-10}
YEAR=2024

bench_build "$ADMIN" "$TOOL"
bench_cluster fast
mkdir -p "$TMP/cat"
{ echo "code,name"; echo "bench,Bench"; } >"$TMP/cat/agencies.csv"
{ echo "code,name,parent"
  for m in $(seq 9001 $((9000 + MUNICIPALITIES))); do echo "$m,Kommun $m,"; done
  for m in $(seq 9001 $((9000 + MUNICIPALITIES))); do
	for d in $(seq -w 1 10); do echo "$m-d$d,Distrikt $d,$m"; done
  done; } >"$TMP/cat/areas.csv"
{ echo "code,agency,level,kind,name_sv,name_en,suppress_below"
  for i in $(seq -w 1 "$INDICATORS"); do
	echo "bench.i$i,bench,first_line,$([ $((10#$i % 3)) -eq 0 ] && echo stock || echo flow),I $i,I $i,"
  done; } >"$TMP/cat/indicators.csv"
{ echo "agency,indicator,area"
  for i in $(seq -w 1 "$INDICATORS"); do
	for m in $(seq 9001 $((9000 + MUNICIPALITIES))); do echo "bench,bench.i$i,$m"; done
  done; } >"$TMP/cat/permissions.csv"
DATABASE_URL=$ADMIN_URL "$ADMIN" catalogue import "$TMP/cat" >/dev/null

# Eleven rounds, one submission per municipality each: rounds 1-4 bring
# the quarters of every indicator and district, rounds 5-11 revise one
# count of every indicator (so every table gets a state per round). About
# one value in twelve is 1 to 4.
sql <<SQL
INSERT INTO token (secret_sha256, role, agency_id)
	SELECT sha256(convert_to('bench', 'UTF8')), 'submitter', id FROM agency;
CREATE TEMP TABLE mu AS
	SELECT id, row_number() OVER (ORDER BY id) - 1 AS m FROM area WHERE parent_id IS NULL;
CREATE TEMP TABLE k AS
	SELECT i.id AS ind, d.id AS area, mu.m, row_number() OVER (PARTITION BY i.id, mu.m ORDER BY d.id) - 1 AS di
	  FROM indicator i CROSS JOIN area d JOIN mu ON mu.id = d.parent_id;
INSERT INTO submission (id, uuid, agency_id, token_id, received_at, body_sha256, rows, created,
                        updated, unchanged)
	SELECT (r - 1) * $MUNICIPALITIES + mu.m + 1, gen_random_uuid(), a.id, t.id,
	       '$YEAR-04-01'::timestamptz + (r * interval '20 days'), sha256(convert_to(r || '/' || mu.m, 'UTF8')),
	       0, 0, 0, 0
	  FROM generate_series(1, 11) r, mu, agency a, token t;
INSERT INTO count_history (indicator_id, area_id, period, submission_id, value)
	SELECT ind, area, $YEAR * 10 + q, (q - 1) * $MUNICIPALITIES + m + 1,
	       CASE WHEN (ind * 31 + area * 7 + q) % 12 = 0 THEN 1 + (ind + area + q) % 4
	            ELSE 5 + (ind * 17 + area * 13 + q * 11) % 60 END
	  FROM k, generate_series(1, 4) q;
INSERT INTO count_history (indicator_id, area_id, period, submission_id, value)
	SELECT ind, area, $YEAR * 10 + 1 + (r + ind) % 4, (r - 1) * $MUNICIPALITIES + m + 1,
	       CASE WHEN (ind + r) % 3 = 0 THEN 1 + r % 4 ELSE 70 + r END
	  FROM k, generate_series(5, 11) r
	 WHERE di = (r + ind) % 10;
SELECT setval('submission_id_seq', (SELECT max(id) FROM submission)) \\g /dev/null
VACUUM (ANALYZE) count_history;
SQL
say "$(sql_value 'SELECT count(*) FROM count_history') counts in $MUNICIPALITIES municipalities x $INDICATORS indicators, 11 submissions each"
DATABASE_URL=$ADMIN_URL "$TOOL" --year "$YEAR" --tenth $((10 * MUNICIPALITIES)) >"$TMP/out"
value() { awk -v k="$1" '$1 == k { print $2 }' "$TMP/out"; }
cat <<EOT

=== table states ($(nproc) cpus; tables of 10 districts, eleven states each) ===
tables                 $(value cold_build_ten_tables)
cold build, ten states median $(value cold_build_ten_median_ms) ms   p99 $(value cold_build_ten_p99_ms) ms
the eleventh state     median $(value eleventh_state_median_ms) ms   p99 $(value eleventh_state_p99_ms) ms
cold read (recorded)   median $(value cold_read_median_ms) ms   p99 $(value cold_read_p99_ms) ms
EOT
mkdir -p "$OUT"
{ printf '{"benchmark": "states", "time": "%s"' "$STAMP"
  while read -r k v; do printf ', "%s": %s' "$k" "$v"; done <"$TMP/out"
  echo "}"; } >"$OUT/states-$STAMP.json"
say "figures in $OUT/states-$STAMP.json"
