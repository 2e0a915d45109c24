#!/usr/bin/env bash
# The series benchmark (issue 3, "Speed"): GET /v1/series at concurrency 32
# against a store of over 1,000,000 counts, and in the same run the raw SQL
# that fetches the same rows (pgbench, the current values a series needs)
# on the same cluster. Prints requests/s, p50 and p99 latency, errors, the
# ratio aggregator / raw SQL and the aggregator's peak RSS, and writes them
# as JSON to bench/out/series-<UTC time>.json. See bench/README.md.
#
# Environment (all optional):
#   SAMLAD_BUILD     the build folder (default build/)
#   BENCH_AGGREGATOR the samlad-aggregator to measure (default the build's;
#                    another build, to compare a change)
#   BENCH_SECONDS    length of each measured pass (default 20)
#   BENCH_WARMUP     seconds of a timed warm-up of the same mix instead of the
#                    default sweep (every indicator in every municipality
#                    once); pgbench's warm-up is 5 s unless this is set
#   BENCH_CONCURRENCY requests in flight / pgbench clients (default 32)
#   BENCH_MUNICIPALITIES municipalities of 10 districts each (default 125;
#                    smaller only for a quick check of the script itself)
#   BENCH_HOT_SECONDS length of the cache-hit diagnostic pass (default 10;
#                    0 leaves it out)
#   BENCH_BASELINE_PASS 1: also measure the baseline's aggregator
#                    (BENCH_BASELINE, default 6af32ce) on the same mix, as it
#                    runs, with one malloc arena (MALLOC_ARENA_MAX=1) and
#                    with one arena and --cache-mb 1
#   BENCH_PERF       1: record the whole machine with perf during the
#                    aggregator's measured pass; dwarf: record only the
#                    aggregator, with DWARF call graphs, for PERF_SECONDS
#                    (default 5); either into bench/out/perf-series-<time>.data
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
# lib.sh sets BUILD, PG, PG_BIN, ADMIN, OUT and STAMP.
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"
AGGREGATOR=${BENCH_AGGREGATOR:-$BUILD/aggregator/samlad-aggregator}
CLIENT=$BUILD/bench/series-client

# shellcheck source=bench/lib_series.sh
. "$ROOT/bench/lib_series.sh"

SECONDS_MEASURED=${BENCH_SECONDS:-20}
# Empty: the warm-up requests every indicator in every municipality once.
SECONDS_WARMUP=${BENCH_WARMUP:-}
CONCURRENCY=${BENCH_CONCURRENCY:-32}
MUNICIPALITIES=${BENCH_MUNICIPALITIES:-125}
HOT_SECONDS=${BENCH_HOT_SECONDS:-10}
HOT_MUNICIPALITIES=10
DISTRICTS=10
# The request of every call, and the first quarter of the stored data.
FROM=2019Q1
TO=2024Q4
FIRST_YEAR=2019
# Targets of the issue.
TARGET_RATIO=1.0
TARGET_RSS_KIB=$((64 * 1024))
# Options of the aggregator passes beyond --listen (the baseline's passes
# set them).
AGGREGATOR_ARGS=()

cluster() {
	# A read benchmark: durability settings change nothing it measures,
	# and "fast" makes loading the counts quicker.
	bench_cluster fast
	mkdir -p "$TMP/catalogue" "$TMP/bin"
	# Private copies of the programs: a rebuild in the shared build folder
	# during the run must not swap them underneath it.
	cp "$AGGREGATOR" "$CLIENT" "$TMP/bin/"
	AGGREGATOR=$TMP/bin/$(basename "$AGGREGATOR")
	CLIENT=$TMP/bin/$(basename "$CLIENT")
	AGGREGATOR_URL=$("$PG" url "$TMP/pg" samlad_aggregator samlad)
}

# Quarters from FIRST_YEAR Q1 up to the last finished one (UTC).
quarters() {
	local y m
	y=$(date -u +%Y)
	m=$(date -u +%-m)
	echo $(((y - FIRST_YEAR) * 4 + (m - 1) / 3))
}

# The demo's agencies and 27 indicators, MUNICIPALITIES synthetic
# municipalities 9001, 9002, ... of DISTRICTS districts each (9001-d01 ...),
# and every indicator permitted to its agency in every municipality.
catalogue() {
	local dir=$TMP/catalogue m
	cp "$ROOT/catalogue/demo/agencies.csv" "$ROOT/catalogue/demo/indicators.csv" "$dir/"
	bench_areas_csv "$MUNICIPALITIES" "$DISTRICTS" >"$dir/areas.csv"
	{
		echo "agency,indicator,area"
		tail -n +2 "$dir/indicators.csv" | cut -d, -f1,2 | while IFS=, read -r code agency; do
			for m in $(seq 9001 $((9000 + MUNICIPALITIES))); do
				echo "$agency,$code,$m"
			done
		done
	} >"$dir/permissions.csv"
	DATABASE_URL=$ADMIN_URL "$ADMIN" catalogue import "$dir" >/dev/null
	TOKEN=$(DATABASE_URL=$ADMIN_URL "$ADMIN" token create --role analyst | tail -n 1)
	[ -n "$TOKEN" ] || die "token create printed no token"
	sql -At -c "SELECT code FROM indicator ORDER BY id" >"$TMP/indicators.txt"
	sql -At -c "SELECT code FROM area ORDER BY id" >"$TMP/areas.txt"
	sql -At -c "SELECT code FROM area WHERE parent_id IS NULL ORDER BY id" >"$TMP/municipalities.txt"
	INDICATORS=$(wc -l <"$TMP/indicators.txt")
	ids_check
}

# The counts, generated in SQL and loaded with COPY as setup (not measured).
# One submission per agency, municipality and quarter; for a tenth of them
# a revision submission that changes a third of their keys; 2% of the keys
# never reported; about 5% of the values 1 to 4. count_history holds only
# created and updated rows, as the collector stores them, and every
# submission's rows/created/updated agree with them (unchanged is 0: a
# revision here resends only what changed).
counts() {
	local nq t0 t1
	nq=$(quarters)
	t0=$(date +%s)
	sql <<SQL
INSERT INTO token (secret_sha256, role, agency_id)
	SELECT sha256(convert_to('bench-token-' || id, 'UTF8')), 'submitter', id FROM agency;
CREATE TABLE bench_key AS
	SELECT i.id AS ind, d.id AS area, q,
	       (($FIRST_YEAR + q / 4) * 10 + q % 4 + 1) AS period,
	       ag.idx AS a, mu.idx AS m,
	       abs(((i.id::bigint * 73856093) # (d.id::bigint * 19349663) # (q::bigint * 83492791)) % 1000003) AS h,
	       5 + (i.id::bigint * 7919 + d.id::bigint * 104729) % 120 AS base
	  FROM indicator i
	  JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS idx FROM agency) ag ON ag.id = i.agency_id
	 CROSS JOIN area d
	  JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS idx FROM area
	         WHERE parent_id IS NULL) mu ON mu.id = d.parent_id
	 CROSS JOIN generate_series(0, $nq - 1) q;
CREATE TABLE bench_row AS
	SELECT ind, area, period, q, a, m, h,
	       (q * 2 * na.n * nm.n + a * nm.n + m + 1) AS sid,
	       CASE WHEN h % 20 = 0 THEN 1 + (h / 20) % 4
	            WHEN h % 97 = 1 THEN 0
	            ELSE greatest(0, round(base * (1 + 0.25 * sin(q * pi() / 2 + ind))
	                                   + q * ((ind % 3) - 1) * 0.3))::int END AS v,
	       (a + m + q) % 5 = 0 AND h % 3 = 0 AS revised,
	       na.n * nm.n AS per_round
	  FROM bench_key,
	       (SELECT count(*) AS n FROM agency) na,
	       (SELECT count(*) AS n FROM area WHERE parent_id IS NULL) nm
	 WHERE h % 50 <> 7;
DROP TABLE bench_key;
SQL
	# COPY out of one session into COPY in of another, in key order.
	sql -c "COPY (SELECT ind, area, period, sid, v FROM bench_row
	              UNION ALL
	              SELECT ind, area, period, sid + per_round, v + 1 + h % 5 FROM bench_row WHERE revised
	              ORDER BY 1, 2, 3, 4) TO STDOUT" |
		sql -c "COPY count_history (indicator_id, area_id, period, submission_id, value) FROM STDIN"
	sql <<SQL
INSERT INTO submission (id, uuid, agency_id, token_id, received_at, body_sha256,
                        idempotency_sha256, rows, created, updated, unchanged)
	SELECT s.sid, gen_random_uuid(), s.agency_id, t.id,
	       '$FIRST_YEAR-04-10'::timestamptz
	         + (now() - interval '1 day' - '$FIRST_YEAR-04-10'::timestamptz) * (s.sid::float8 / mx.sid),
	       sha256(convert_to('bench-submission-' || s.sid, 'UTF8')), NULL,
	       s.n, CASE WHEN s.revision THEN 0 ELSE s.n END, CASE WHEN s.revision THEN s.n ELSE 0 END, 0
	  FROM (SELECT h.submission_id AS sid, i.agency_id, count(*) AS n,
	               (h.submission_id - 1) % (2 * min(r.per_round)) >= min(r.per_round) AS revision
	          FROM count_history h JOIN indicator i ON i.id = h.indicator_id,
	               (SELECT per_round FROM bench_row LIMIT 1) r
	         GROUP BY h.submission_id, i.agency_id) s
	  JOIN token t ON t.agency_id = s.agency_id AND t.role = 'submitter',
	       (SELECT max(submission_id) AS sid FROM count_history) mx;
SELECT setval('submission_id_seq', (SELECT max(id) FROM submission)) \g /dev/null
DROP TABLE bench_row;
VACUUM (ANALYZE) count_history;
VACUUM (ANALYZE) submission;
SQL
	t1=$(date +%s)
	COUNTS=$(sql_value "SELECT count(*) FROM count_history")
	KEYS=$(sql_value "SELECT count(*) FROM (SELECT DISTINCT indicator_id, area_id, period FROM count_history) k")
	VERSION=$(sql_value "SELECT max(id) FROM submission")
	[ "$COUNTS" -ge 1000000 ] || say "warning: only $COUNTS counts stored (fewer than 1,000,000)"
	# Each submission's agency must be the agency of every row it carries.
	[ "$(sql_value "SELECT count(*) FROM (SELECT submission_id FROM count_history h
		JOIN indicator i ON i.id = h.indicator_id GROUP BY submission_id
		HAVING count(DISTINCT i.agency_id) <> 1) x")" -eq 0 ] ||
		die "a generated submission mixes agencies"
	say "stored $COUNTS counts ($KEYS keys, $(sql_value 'SELECT count(*) FROM submission') submissions; $((t1 - t0)) s)"
}

# ---- recording the states --------------------------------------------------

# A new quarter from every agency in every municipality, as one submission
# per agency and municipality (the next quarter after the stored ones, or
# the current one), committed at once.
new_quarter() {
	local nq
	nq=$(quarters)
	sql <<SQL
BEGIN;
CREATE TEMP TABLE bench_new AS
	SELECT i.id AS ind, d.id AS area, ag.idx AS a, mu.idx AS m, i.agency_id,
	       (($FIRST_YEAR + $nq / 4) * 10 + $nq % 4 + 1) AS period,
	       CASE WHEN (i.id + d.id) % 20 = 0 THEN 1 + (i.id + d.id) / 20 % 4
	            ELSE 5 + (i.id::bigint * 7919 + d.id::bigint * 104729) % 120 END AS v
	  FROM indicator i
	  JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS idx FROM agency) ag ON ag.id = i.agency_id
	 CROSS JOIN area d
	  JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS idx FROM area
	         WHERE parent_id IS NULL) mu ON mu.id = d.parent_id;
CREATE TEMP TABLE bench_sub AS
	SELECT DISTINCT a, m, agency_id,
	       (SELECT max(id) FROM submission) + a * (SELECT count(*) FROM area WHERE parent_id IS NULL)
	         + m + 1 AS sid
	  FROM bench_new;
INSERT INTO submission (id, uuid, agency_id, token_id, received_at, body_sha256, rows, created,
                        updated, unchanged)
	SELECT s.sid, gen_random_uuid(), s.agency_id,
	       (SELECT min(t.id) FROM token t WHERE t.agency_id = s.agency_id), clock_timestamp(),
	       sha256(convert_to('bench-quarter-' || s.sid, 'UTF8')), n.n, n.n, 0, 0
	  FROM bench_sub s
	  JOIN (SELECT a, m, count(*) AS n FROM bench_new GROUP BY a, m) n USING (a, m)
	 ORDER BY s.sid;
INSERT INTO count_history (indicator_id, area_id, period, submission_id, value)
	SELECT b.ind, b.area, b.period, s.sid, b.v FROM bench_new b JOIN bench_sub s USING (a, m);
SELECT setval('submission_id_seq', (SELECT max(id) FROM submission)) \g /dev/null
COMMIT;
SQL
}

# The recorder at work: the backlog of every state since the first
# quarter, from an aggregator started on data loaded without one; then a
# new quarter from every agency, as it comes at each quarter's end.
run_recording() {
	local s0 s1
	bench_start aggregator "$AGGREGATOR_URL" "$AGGREGATOR"
	wait_recorded
	BACKLOG_SECONDS=$WAITED
	BACKLOG_STATES=$(states)
	BACKLOG_RATE=$(awk -v n="$BACKLOG_STATES" -v s="$BACKLOG_SECONDS" 'BEGIN { printf "%.0f", n / s }')
	say "recorded the backlog: $BACKLOG_STATES states in $BACKLOG_SECONDS s ($BACKLOG_RATE states/s)"
	s0=$(states)
	new_quarter
	wait_recorded
	s1=$(states)
	QUARTER_SECONDS=$WAITED
	QUARTER_STATES=$((s1 - s0))
	QUARTER_RATE=$(awk -v n="$QUARTER_STATES" -v s="$QUARTER_SECONDS" 'BEGIN { printf "%.0f", n / s }')
	say "a new quarter from every agency: $QUARTER_STATES states in $QUARTER_SECONDS s ($QUARTER_RATE states/s)"
	bench_stop
	VERSION=$(sql_value "SELECT max(id) FROM submission")
}

# BENCH_STATS=1: what is published of every table with data, by this
# build's aggregator and by the baseline's (bench_baseline), on the same
# data (bench/disclosure_stats.py).
run_stats() {
	[ "${BENCH_STATS:-0}" = 1 ] || return 0
	bench_baseline
	bench_start aggregator "$AGGREGATOR_URL" "$AGGREGATOR"
	wait_recorded
	STATS_AFTER=$(python3 "$ROOT/bench/disclosure_stats.py" "http://$LISTEN" "$TOKEN" "$ADMIN_URL")
	bench_stop
	bench_start aggregator "$AGGREGATOR_URL" "$BASELINE_AGGREGATOR"
	STATS_BEFORE=$(python3 "$ROOT/bench/disclosure_stats.py" "http://$LISTEN" "$TOKEN" "$ADMIN_URL")
	bench_stop
	say "published, before: $STATS_BEFORE"
	say "published, after:  $STATS_AFTER"
}

# BENCH_PERF=1 records the whole machine (the aggregator, its PostgreSQL
# backends and the client) with frame-pointer call graphs for the length of
# the measured pass; BENCH_PERF=dwarf records only the aggregator, with
# DWARF call graphs (complete stacks through libc and GLPK, which have no
# frame pointers), for PERF_SECONDS (default 5) of it.
perf_start() {
	local data=$OUT/perf-series-$STAMP.data
	case "${BENCH_PERF:-}" in
	1) perf record -a -g -o "$data" -- sleep "$SECONDS_MEASURED" >"$TMP/perf.log" 2>&1 ;;
	dwarf) perf record -F 199 --call-graph dwarf,65528 -p "$PROGRAM_PID" -o "$data" -- \
		sleep "${PERF_SECONDS:-5}" >"$TMP/perf.log" 2>&1 ;;
	*) return 0 ;;
	esac
}

perf_report() {
	[ -n "${BENCH_PERF:-}" ] && [ -e "$OUT/perf-series-$STAMP.data" ] || return 0
	say "perf data in $OUT/perf-series-$STAMP.data; by program:"
	perf report -i "$OUT/perf-series-$STAMP.data" --stdio --no-children --sort comm 2>/dev/null |
		grep -E '^ +[0-9.]+%' | head -n 8 >&2 || true
}

# The measured mix: every indicator, every area.
run_aggregator() {
	aggregator_pass "$TMP/indicators.txt" "$TMP/areas.txt" "${SECONDS_WARMUP:-$TMP/municipalities.txt}" \
		"$SECONDS_MEASURED" "$TMP/client.out" "${BENCH_PERF:-}"
	RSS_HWM=$PASS_RSS_HWM
	SERVER_MAX_MS=${PASS_SERVER_MAX_MS:-unknown}
	RSS_NOW=$PASS_RSS_NOW
	A_STATEMENTS=$PASS_STATEMENTS
	A_RATE=$(client_value requests_per_s)
}

# A diagnostic, not the target: a fresh aggregator on a mix small enough
# that every table it needs stays in the cache (the first indicator in the
# first HOT_MUNICIPALITIES municipalities), so that nearly every request
# is a cache hit: what a request costs when no table has to be protected.
run_hot() {
	[ "$HOT_SECONDS" != 0 ] || return 0
	head -n 1 "$TMP/indicators.txt" >"$TMP/hot-indicators.txt"
	sql -At -c "WITH mu AS (SELECT id, code FROM area WHERE parent_id IS NULL ORDER BY id
	                         LIMIT $HOT_MUNICIPALITIES)
	            SELECT code FROM mu UNION ALL
	            SELECT a.code FROM area a JOIN mu ON a.parent_id = mu.id" >"$TMP/hot-areas.txt"
	aggregator_pass "$TMP/hot-indicators.txt" "$TMP/hot-areas.txt" 2 "$HOT_SECONDS" \
		"$TMP/hot.out"
	H_STATEMENTS=$PASS_STATEMENTS
	H_RATE=$(client_value requests_per_s "$TMP/hot.out")
}

# BENCH_BASELINE_PASS=1: the baseline's aggregator (bench_baseline) on the
# same mix, as it runs, with one malloc arena (MALLOC_ARENA_MAX=1), and
# with one arena and a cache of 1 MiB: its rate and peak RSS before, how
# much of that RSS is memory the arenas of its many threads keep after the
# requests that used it, and how much its cache of 32 MiB really takes.
run_baseline_pass() {
	[ "${BENCH_BASELINE_PASS:-0}" = 1 ] || return 0
	[ -n "${BASELINE_AGGREGATOR:-}" ] || bench_baseline
	local ours=$AGGREGATOR warm=${SECONDS_WARMUP:-$TMP/municipalities.txt}
	AGGREGATOR=$BASELINE_AGGREGATOR
	aggregator_pass "$TMP/indicators.txt" "$TMP/areas.txt" "$warm" "$SECONDS_MEASURED" \
		"$TMP/baseline.out"
	B_RSS=$PASS_RSS_HWM
	B_STATEMENTS=$PASS_STATEMENTS
	export MALLOC_ARENA_MAX=1
	aggregator_pass "$TMP/indicators.txt" "$TMP/areas.txt" "$warm" "$SECONDS_MEASURED" \
		"$TMP/baseline1.out"
	B1_RSS=$PASS_RSS_HWM
	AGGREGATOR_ARGS=(--cache-mb 1)
	aggregator_pass "$TMP/indicators.txt" "$TMP/areas.txt" "$warm" "$SECONDS_MEASURED" \
		"$TMP/baseline2.out"
	unset MALLOC_ARENA_MAX
	AGGREGATOR_ARGS=()
	B2_RSS=$PASS_RSS_HWM
	AGGREGATOR=$ours
}

# The baseline passes' lines, when they ran.
baseline_lines() {
	[ "${BENCH_BASELINE_PASS:-0}" = 1 ] || return 0
	local f=$TMP/baseline.out g=$TMP/baseline1.out h=$TMP/baseline2.out
	cat <<EOF
baseline          $(printf '%10.1f' "$(client_value requests_per_s "$f")") requests/s   p50 $(client_value p50_ms "$f") ms   p99 $(client_value p99_ms "$f") ms   max $(client_value max_ms "$f") ms   (${BENCH_BASELINE:-6af32ce}; $B_STATEMENTS SQL statements per request)
                  peak RSS $((B_RSS / 1024)) MiB; with one malloc arena $((B1_RSS / 1024)) MiB at $(client_value requests_per_s "$g") requests/s, p99 $(client_value p99_ms "$g") ms;
                  with one arena and --cache-mb 1 $((B2_RSS / 1024)) MiB at $(client_value requests_per_s "$h") requests/s, p99 $(client_value p99_ms "$h") ms
EOF
}

# The diagnostic pass's lines, when it ran.
hot_lines() {
	[ "$HOT_SECONDS" != 0 ] || return 0
	local f=$TMP/hot.out
	cat <<EOF
cache hits only   $(printf '%10.1f' "$H_RATE") requests/s   p50 $(client_value p50_ms "$f") ms   p99 $(client_value p99_ms "$f") ms   (diagnostic: $(wc -l <"$TMP/hot-indicators.txt") indicator x $(wc -l <"$TMP/hot-areas.txt") areas,
                  fresh aggregator; errors $(client_value failures "$f"); $H_STATEMENTS SQL statements per request; / raw $(awk -v a="$H_RATE" -v r="$R_RATE" 'BEGIN { printf "%.3f", a / r }'))
EOF
}

results() {
	RATIO=$(awk -v a="$A_RATE" -v r="$R_RATE" 'BEGIN { printf "%.3f", a / r }')
	RATIO_MET=$(awk -v x="$RATIO" -v t="$TARGET_RATIO" 'BEGIN { print (x >= t) ? "true" : "false" }')
	RSS_MET=$([ "$RSS_HWM" -lt "$TARGET_RSS_KIB" ] && echo true || echo false)
	local met_r met_m
	met_r=$([ "$RATIO_MET" = true ] && echo met || echo NOT met)
	met_m=$([ "$RSS_MET" = true ] && echo met || echo NOT met)
	cat <<EOF

=== series benchmark ($(nproc) cpus, PostgreSQL $(sql_value 'SHOW server_version')) ===
data              $COUNTS counts ($KEYS keys): $INDICATORS indicators x $((MUNICIPALITIES * DISTRICTS)) districts in $MUNICIPALITIES municipalities, $(quarters) quarters from ${FIRST_YEAR}Q1
request           GET /v1/series?indicator=<random>&area=<random district or municipality>&from=$FROM&to=$TO
concurrency       $CONCURRENCY ($(client_value connections) connections opened)

aggregator        $(printf '%10.1f' "$A_RATE") requests/s   p50 $(client_value p50_ms) ms   p90 $(client_value p90_ms) ms   p99 $(client_value p99_ms) ms   max $(client_value max_ms) ms
                  $(client_value requests) requests in $(client_value seconds) s; errors $(client_value failures), non-200 $(client_value non_200); $A_STATEMENTS SQL statements per request (warm-up and measured)
                  warm-up: $(client_value warmup_requests) requests in $(client_value warmup_seconds) s, slowest $(client_value warmup_max_ms) ms
                  slowest request in the aggregator's own access log (both passes): $SERVER_MAX_MS ms
raw SQL (pgbench) $(printf '%10.1f' "$R_RATE") queries/s    latency average $R_LATENCY ms; failed $R_FAILED; $R_ROWS rows per query
                  (current values: $INDICATORS x $MUNICIPALITIES random, $DISTRICTS districts, 2018Q1-$TO)
$(hot_lines)
$(baseline_lines)

$( [ "${BENCH_STATS:-0}" = 1 ] && printf 'published before  %s\npublished after   %s\n' "$STATS_BEFORE" "$STATS_AFTER")
recording         backlog $BACKLOG_STATES states in $BACKLOG_SECONDS s ($BACKLOG_RATE states/s, --record-threads 2);
                  a new quarter from every agency: $QUARTER_STATES states in $QUARTER_SECONDS s ($QUARTER_RATE states/s)

aggregator / raw  $RATIO        target >= $TARGET_RATIO   ($met_r)
aggregator RSS    peak $((RSS_HWM / 1024)) MiB ($RSS_HWM KiB; $((RSS_NOW / 1024)) MiB at the end)   target < 64 MiB   ($met_m)
EOF
}

hot_json() {
	[ "$HOT_SECONDS" != 0 ] || { echo null; return 0; }
	local f=$TMP/hot.out
	printf '{"seconds": %s, "requests": %s, "requests_per_s": %s, "p50_ms": %s, "p99_ms": %s, "failures": %s, "statements_per_request": %s}\n' \
		"$(client_value seconds "$f")" "$(client_value requests "$f")" "$H_RATE" \
		"$(client_value p50_ms "$f")" "$(client_value p99_ms "$f")" \
		"$(client_value failures "$f")" "$H_STATEMENTS"
}

write_json() {
	mkdir -p "$OUT"
	local file=$OUT/series-$STAMP.json
	cat >"$file" <<JSON
{
  "benchmark": "series",
  "time": "$STAMP",
  "commit": "$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)",
  "cpus": $(nproc),
  "postgresql": "$(sql_value 'SHOW server_version')",
  "counts": $COUNTS,
  "keys": $KEYS,
  "indicators": $INDICATORS,
  "municipalities": $MUNICIPALITIES,
  "districts": $((MUNICIPALITIES * DISTRICTS)),
  "from": "$FROM",
  "to": "$TO",
  "concurrency": $CONCURRENCY,
  "aggregator": {"seconds": $(client_value seconds), "requests": $(client_value requests),
    "requests_per_s": $A_RATE, "p50_ms": $(client_value p50_ms), "p90_ms": $(client_value p90_ms),
    "p99_ms": $(client_value p99_ms), "max_ms": $(client_value max_ms),
    "failures": $(client_value failures), "non_200": $(client_value non_200),
    "connections": $(client_value connections), "statements_per_request": $A_STATEMENTS,
    "warmup_requests": $(client_value warmup_requests), "warmup_seconds": $(client_value warmup_seconds),
    "warmup_max_ms": $(client_value warmup_max_ms), "server_max_ms": ${SERVER_MAX_MS/unknown/null},
    "rss_peak_kib": $RSS_HWM, "rss_end_kib": $RSS_NOW},
  "aggregator_cache_hits": $(hot_json),
  "recording": {"backlog_states": $BACKLOG_STATES, "backlog_seconds": $BACKLOG_SECONDS,
    "backlog_states_per_s": $BACKLOG_RATE, "quarter_states": $QUARTER_STATES,
    "quarter_seconds": $QUARTER_SECONDS, "quarter_states_per_s": $QUARTER_RATE},
  "raw_sql": {"seconds": $SECONDS_MEASURED, "queries_per_s": $R_RATE, "latency_avg_ms": $R_LATENCY,
    "failed": $R_FAILED, "rows_per_query": $R_ROWS},
  "ratio_aggregator_raw": $RATIO,
  "target_ratio": $TARGET_RATIO,
  "target_ratio_met": $RATIO_MET,
  "target_rss_kib": $TARGET_RSS_KIB,
  "target_rss_met": $RSS_MET
}
JSON
	say "figures in $file"
}

bench_build "$ADMIN" "$AGGREGATOR" "$CLIENT"
command -v "$PG_BIN/pgbench" >/dev/null || die "no pgbench in $PG_BIN"
cluster
catalogue
counts
run_recording
run_stats
run_aggregator
run_baseline_pass
run_hot
run_raw
results
write_json
