#!/usr/bin/env bash
# The review benchmark (issue 4, "Tests"): rendering a municipality's whole
# annual review, 30 indicators, 10 districts, 6 years, must take well under
# a second. Two figures:
#   render   the pure renderer (review_html) on a synthetic review in memory,
#            tests/unit/review/review-render-bench, mean and best of 20;
#   page     GET /review/2024?area=9999 from the real aggregator against a
#            private cluster holding the same shape of counts: cold (every
#            protected table made, one GLPK audit each) and warm (tables
#            cached), and samlad-admin report writing the same page.
# Prints the figures and writes them as JSON to bench/out/review-<time>.json.
#
# Environment (optional): SAMLAD_BUILD (default build/), BENCH_ROUNDS (warm
# requests, default 10).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
# lib.sh sets BUILD, PG, PG_BIN, ADMIN, OUT and STAMP.
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"
AGGREGATOR=$BUILD/aggregator/samlad-aggregator
RENDER=$BUILD/tests/unit/review/review-render-bench
ROUNDS=${BENCH_ROUNDS:-10}
INDICATORS=30
DISTRICTS=10
YEAR=2024


ninja -C "$BUILD" aggregator/samlad-aggregator tools/samlad-admin \
	tests/unit/review/review-render-bench >/dev/null || die "build failed"

# ---- 1. the pure renderer ---------------------------------------------------
render_json=$("$RENDER" "$INDICATORS" "$DISTRICTS" 20)
say "render: $render_json"

# ---- 2. the page from the aggregator ----------------------------------------
bench_cluster fast
AGG_URL=$("$PG" url "$TMP/pg" samlad_aggregator samlad)

# A catalogue of one agency, municipality 9999 with ten districts and 30
# indicators (every third a stock, odd ones specialised).
mkdir -p "$TMP/cat"
echo "code,name" >"$TMP/cat/agencies.csv"
echo "bench,Bench agency" >>"$TMP/cat/agencies.csv"
{ echo "code,name,parent"; echo "9999,Benchkommun,"
  for d in $(seq -w 1 $DISTRICTS); do echo "9999-d$d,Distrikt $d,9999"; done; } >"$TMP/cat/areas.csv"
{ echo "code,agency,level,kind,name_sv,name_en,suppress_below"
  for i in $(seq -w 1 $INDICATORS); do
	level=$([ $((10#$i % 2)) -eq 1 ] && echo specialised || echo first_line)
	kind=$([ $((10#$i % 3)) -eq 0 ] && echo stock || echo flow)
	echo "bench.i$i,bench,$level,$kind,Indikator $i,Indicator $i,"
  done; } >"$TMP/cat/indicators.csv"
{ echo "agency,indicator,area"
  for i in $(seq -w 1 $INDICATORS); do echo "bench,bench.i$i,9999"; done; } >"$TMP/cat/permissions.csv"
DATABASE_URL=$ADMIN_URL "$ADMIN" catalogue import "$TMP/cat" >/dev/null

# Counts 2018Q1..2024Q4 (the review reaches a year back for its first moving
# total): one submission per quarter, ten days after it ended; values from a
# formula with a trend, a season and some small counts for the suppression.
"$PG" psql "$TMP/pg" -d samlad -q -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
INSERT INTO token (secret_sha256, role, agency_id)
  SELECT sha256('bench'::bytea), 'submitter', id FROM agency WHERE code = 'bench';
INSERT INTO submission (uuid, agency_id, token_id, received_at, body_sha256, rows, created,
                        updated, unchanged)
  SELECT gen_random_uuid(), (SELECT id FROM agency WHERE code = 'bench'),
         (SELECT min(id) FROM token),
         make_timestamptz(y, q * 3, 1, 0, 0, 0, 'UTC') + interval '1 month 10 days',
         sha256((y * 10 + q)::text::bytea), 0, 0, 0, 0
    FROM generate_series(2018, 2024) y, generate_series(1, 4) q ORDER BY y, q;
INSERT INTO count_history (indicator_id, area_id, period, submission_id, value)
  SELECT i.id, a.id, s.p, s.id,
         CASE WHEN (i.id * 7 + a.id * 3 + s.p) % 13 = 0 THEN (i.id + a.id + s.p) % 5
              ELSE 20 + (i.id * 11 + a.id * 5) % 60 + (s.p / 10 - 2018) * (i.id % 5 - 2)
                   + (s.p % 10) * 3 END
    FROM indicator i CROSS JOIN area a
    JOIN (SELECT id, extract(year FROM received_at - interval '2 months')::int * 10
                     + extract(quarter FROM received_at - interval '2 months')::int AS p
            FROM submission) s ON true
   WHERE a.parent_id IS NOT NULL;
SQL
rows=$("$PG" psql "$TMP/pg" -d samlad -tAc "SELECT count(*) FROM count_history")
say "cluster in $TMP/pg: $INDICATORS indicators, $DISTRICTS districts, $rows counts"

bench_start aggregator "$AGG_URL" "$AGGREGATOR" --public --log-level warn
URL="http://$LISTEN/review/$YEAR?area=9999"
fetch() { curl -s -o "$TMP/page.html" -w '%{http_code} %{time_total} %{size_download}\n' "$URL"; }
read -r code cold bytes < <(fetch)
[ "$code" = 200 ] || die "GET $URL answered $code"
warm=()
for _ in $(seq 1 "$ROUNDS"); do read -r _ t _ < <(fetch); warm+=("$t"); done
warm_median=$(printf '%s\n' "${warm[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
t0=$(date +%s.%N)
DATABASE_URL=$ADMIN_URL "$ADMIN" report --log-level warn --area 9999 --year $YEAR --out "$TMP/report.html" >/dev/null
t1=$(date +%s.%N)
report_s=$(echo "$t1 - $t0" | bc -l 2>/dev/null || python3 -c "print($t1 - $t0)")

mkdir -p "$OUT"
json=$(printf '{"time": "%s", "render": %s, "page_bytes": %s, "page_cold_s": %s, "page_warm_median_s": %s, "report_s": %.3f}' \
	"$STAMP" "$render_json" "$bytes" "$cold" "$warm_median" "$report_s")
echo "$json" >"$OUT/review-$STAMP.json"
printf '\n%-44s %s\n' "review of $INDICATORS indicators x $DISTRICTS districts x 6 years" ""
printf '%-44s %s\n' "render only (mean, best of 20), ms" \
	"$(python3 -c "import json,sys; r=json.loads(sys.argv[1]); print(r['render_ms_mean'], r['render_ms_best'])" "$render_json")"
printf '%-44s %s\n' "GET /review cold (tables protected), s" "$cold"
printf '%-44s %s\n' "GET /review warm (median of $ROUNDS), s" "$warm_median"
printf '%-44s %.3f\n' "samlad-admin report (process, cold), s" "$report_s"
printf '%-44s %s\n' "page size, bytes" "$bytes"
say "figures in $OUT/review-$STAMP.json"
