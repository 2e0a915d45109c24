#!/usr/bin/env bash
# The national benchmark (issue 12, "A whole country"): one store the size of
# Sweden, 290 municipalities x 10 districts x 30 indicators x 8 years of
# quarters (2,784,000 keys; with a tenth of them revised, 3,062,400 counts),
# posted through the real collector and read through the real aggregator.
# Every figure is printed beside its reference, measured on the same cluster
# in the same run:
#   ingest        collector counts/s     against one COPY of the same rows,
#                 and against COPY of the same batches a transaction each
#   series        aggregator requests/s  against pgbench of the raw SQL
#                 and p99 at concurrency 32
#   review        a cold GET /review of one municipality, against the raw
#                 SQL of its counts
#   start-up      each service until its /healthz answers, against psql
#                 connecting and answering
#   memory        peak RSS of each service, against its target
# Prints a table and writes it as JSON to bench/out/national-<UTC time>.json.
# See bench/README.md.
#
# Environment (all optional):
#   SAMLAD_BUILD          the build folder (default build/)
#   BENCH_MUNICIPALITIES  municipalities (default 290; 100 gives about one
#                         million counts, the size the other benchmarks use)
#   BENCH_YEARS           years of quarters, ending with the last whole year
#                         (default 8)
#   BENCH_STREAMS         requests in flight to the collector, one connection
#                         each (default 2: agencies post at the same time)
#   BENCH_CACHE_MB        the collector's --cache-mb (default its own; 0 shows
#                         what classifying through the database costs)
#   BENCH_SECONDS         seconds of the measured series pass (default 20)
#   BENCH_ROUNDS          rounds of COPY, COPY by batch and the collector;
#                         the best of each is the figure (default 2)
#   BENCH_BATCH           counts per batch (default 10000; the API takes at
#                         most 100000)
#   BENCH_COLLECTOR_FLAGS flags for the collector (e.g. --log-level debug; the
#                         ingest run's log stays as collector-ingest.log)
#   BENCH_KEEP            1: keep the temporary folder
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
# lib.sh sets BUILD, PG, PG_BIN, ADMIN, OUT and STAMP.
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"
COLLECTOR=$BUILD/collector/samlad-collector
AGGREGATOR=$BUILD/aggregator/samlad-aggregator
INGEST_CLIENT=$BUILD/bench/ingest-client
CLIENT=$BUILD/bench/series-client

# shellcheck source=bench/lib_ingest.sh
. "$ROOT/bench/lib_ingest.sh"
# shellcheck source=bench/lib_series.sh
. "$ROOT/bench/lib_series.sh"

MUNICIPALITIES=${BENCH_MUNICIPALITIES:-290}
YEARS=${BENCH_YEARS:-8}
STREAMS=${BENCH_STREAMS:-2}
COLLECTOR_ARGS=()
if [ -n "${BENCH_CACHE_MB:-}" ]; then COLLECTOR_ARGS=(--cache-mb "$BENCH_CACHE_MB"); fi
# shellcheck disable=SC2206 # flags for a trial, split on purpose
COLLECTOR_ARGS+=(${BENCH_COLLECTOR_FLAGS:-})
# The clients stand for agencies' machines and an administrator's psql, not
# for this one: they run niced, the collector's client and COPY's psql
# alike, so that the programs measured get the CPU first.
CLIENT_NICE=(nice -n 10)
SECONDS_MEASURED=${BENCH_SECONDS:-20}
ROUNDS=${BENCH_ROUNDS:-2}
DISTRICTS=10
INDICATORS=30
REVISED_PERCENT=10
BATCH=${BENCH_BATCH:-10000}
CONCURRENCY=32
AGENCY=bench
# The data: YEARS whole years ending with the last one before this.
LAST_YEAR=$(($(date -u +%Y) - 1))
FIRST_YEAR=$((LAST_YEAR - YEARS + 1))
# Series requests span the data but its first year, their lead-in.
FROM=$((FIRST_YEAR + 1))Q1
TO=${LAST_YEAR}Q4
REVIEW_YEAR=$LAST_YEAR
# Targets of the issue.
TARGET_INGEST=0.8
TARGET_P99_MS=20
TARGET_COLLECTOR_RSS_MIB=200
TARGET_AGGREGATOR_RSS_MIB=64
TARGET_START_S=5
AGGREGATOR_ARGS=()

cluster() {
	# Durable defaults: the ingest is measured.
	bench_cluster ""
	mkdir -p "$TMP/catalogue" "$TMP/rows" "$TMP/bin"
	# Private copies: a rebuild during the run must not swap them.
	cp "$COLLECTOR" "$AGGREGATOR" "$INGEST_CLIENT" "$CLIENT" "$TMP/bin/"
	COLLECTOR=$TMP/bin/samlad-collector
	AGGREGATOR=$TMP/bin/samlad-aggregator
	INGEST_CLIENT=$TMP/bin/ingest-client
	CLIENT=$TMP/bin/series-client
	COLLECTOR_URL=$("$PG" url "$TMP/pg" samlad_collector samlad)
	AGGREGATOR_URL=$("$PG" url "$TMP/pg" samlad_aggregator samlad)
}

# One agency with INDICATORS indicators, MUNICIPALITIES municipalities 9001 ...
# of DISTRICTS districts each, every indicator permitted in every one.
catalogue_files() {
	local dir=$TMP/catalogue m i
	printf 'code,name\n%s,Bänkmyndighet\n' "$AGENCY" >"$dir/agencies.csv"
	bench_areas_csv "$MUNICIPALITIES" "$DISTRICTS" >"$dir/areas.csv"
	bench_indicators_csv "$AGENCY" "$INDICATORS" >"$dir/indicators.csv"
	{
		echo "agency,indicator,area"
		for i in $(seq 1 "$INDICATORS"); do
			for m in $(seq 9001 $((9000 + MUNICIPALITIES))); do
				printf '%s,%s.i%02d,%s\n' "$AGENCY" "$AGENCY" "$i" "$m"
			done
		done
	} >"$dir/permissions.csv"
}

catalogue() {
	catalogue_files
	DATABASE_URL=$ADMIN_URL "$ADMIN" catalogue import "$TMP/catalogue" >/dev/null
	SUBMITTER=$(DATABASE_URL=$ADMIN_URL "$ADMIN" token create --role submitter --agency "$AGENCY" | tail -n 1)
	TOKEN=$(DATABASE_URL=$ADMIN_URL "$ADMIN" token create --role analyst | tail -n 1)
	if [ -z "$SUBMITTER" ] || [ -z "$TOKEN" ]; then die "token create printed no token"; fi
	# The ingest client's key order: indicators, then districts by code.
	sql -At -F $'\t' -c "SELECT code, id FROM indicator ORDER BY code" >"$TMP/indicators.tsv"
	sql -At -F $'\t' -c "SELECT code, id FROM area WHERE parent_id IS NOT NULL ORDER BY code" \
		>"$TMP/areas.tsv"
	# The series client's mix and warm-up.
	cut -f1 "$TMP/indicators.tsv" >"$TMP/indicators.txt"
	sql -At -c "SELECT code FROM area ORDER BY id" >"$TMP/areas.txt"
	sql -At -c "SELECT code FROM area WHERE parent_id IS NULL ORDER BY id" >"$TMP/municipalities.txt"
	ids_check
	KEYS=$((INDICATORS * MUNICIPALITIES * DISTRICTS * YEARS * 4))
	REVISIONS=$((KEYS * REVISED_PERCENT / 100))
	ROWS=$((KEYS + REVISIONS))
	NBATCHES=$(((KEYS + BATCH - 1) / BATCH + (REVISIONS + BATCH - 1) / BATCH))
	say "catalogue: $INDICATORS indicators x $((MUNICIPALITIES * DISTRICTS)) districts x $((YEARS * 4)) quarters = $KEYS keys; $ROWS counts with revisions"
}

client_args() {
	echo --indicators "$TMP/indicators.tsv" --areas "$TMP/areas.tsv" \
		--first-period "${FIRST_YEAR}Q1" --keys "$KEYS" --revisions "$REVISIONS" \
		--batch-size "$BATCH"
}


# The reference of a start: psql connecting and answering one query.
run_psql_start() {
	local t0 t1
	t0=$(now)
	sql_value "SELECT 1" >/dev/null
	t1=$(now)
	PSQL_START_S=$(elapsed "$t0" "$t1")
}

# ---- ingest ------------------------------------------------------------------

# The smaller of two numbers (the first when the second is empty).
least() { awk -v a="$1" -v b="${2:-}" 'BEGIN { print (b == "" || a + 0 < b + 0) ? a : b }'; }

# The same rows with their ids, as one COPY text file, and as a psql
# script of one transaction per batch.
copy_file() {
	local f
	# shellcheck disable=SC2046
	"$INGEST_CLIENT" files --out "$TMP/rows" $(client_args)
	cat "$TMP"/rows/batch-*.tsv >"$TMP/rows/all.tsv"
	for f in "$TMP"/rows/batch-*.tsv; do
		printf 'BEGIN;\n\\copy count_history (indicator_id, area_id, period, submission_id, value) FROM %s\nCOMMIT;\n' "'$f'"
	done >"$TMP/rows/batches.sql"
}

empty_store() { sql -c "TRUNCATE count_history, submission"; }

# Seconds one psql run (its arguments) takes on the empty store after a
# checkpoint, at the clients' niceness.
psql_on_empty() {
	local t0 t1
	empty_store
	checkpoint >/dev/null
	t0=$(now)
	"${CLIENT_NICE[@]}" "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 "$ADMIN_URL" "$@" >/dev/null
	t1=$(now)
	elapsed "$t0" "$t1"
}

# One COPY of every row into the empty count_history; the best time is
# kept in COPY_S, the stored rows' fingerprint in HISTORY.
copy_once() {
	COPY_S=$(least "$(psql_on_empty -c "\\copy count_history (indicator_id, area_id, period, submission_id, value) FROM '$TMP/rows/all.tsv'")" "${COPY_S:-}")
	HISTORY=$(fingerprint_history)
}

# The same batches COPYed one transaction each, one after the other, by
# one psql: what a durable acknowledgement of every batch costs the
# database without HTTP or JSON. The best time is kept in BATCHED_S.
copy_batches_once() {
	BATCHED_S=$(least "$(psql_on_empty -f "$TMP/rows/batches.sql")" "${BATCHED_S:-}")
	[ "$(fingerprint_history)" = "$HISTORY" ] || die "COPY by batch stored other rows than COPY"
}

# One collector on the empty store receiving every batch; the best time
# is kept in C_S. Every receipt is checked by the client, and what was
# stored against COPY's rows.
collector_once() {
	empty_store
	bench_start collector "$COLLECTOR_URL" "$COLLECTOR" "${COLLECTOR_ARGS[@]}" --metrics-loopback
	COLLECTOR_START_EMPTY_S=$START_S
	checkpoint >/dev/null
	# shellcheck disable=SC2046
	SAMLAD_TOKEN=$SUBMITTER "${CLIENT_NICE[@]}" "$INGEST_CLIENT" post --url "http://$LISTEN" --streams "$STREAMS" \
		$(client_args) >"$TMP/ingest.out" ||
		die "the collector run failed (log: $(tail -n 5 "$TMP/collector.log" | tr '\n' ' '))"
	C_CPU=$(cpu_seconds "/proc/$PROGRAM_PID/stat")
	COLLECTOR_INGEST_RSS=$(bench_rss_peak)
	# How many batches the cache classified (ahead of the lock, or under it).
	curl -fsS "http://$LISTEN/metrics" >"$TMP/metrics.txt" || die "GET /metrics failed"
	CACHE_HITS=$(awk '$1 == "samlad_collector_cache_hits_total" { print $2 }' "$TMP/metrics.txt")
	CACHE_MISSES=$(awk '$1 == "samlad_collector_cache_misses_total" { print $2 }' "$TMP/metrics.txt")
	bench_stop
	# Later starts write collector.log again; BENCH_KEEP keeps this one.
	cp "$TMP/collector.log" "$TMP/collector-ingest.log"
	C_S=$(least "$(client_value seconds "$TMP/ingest.out")" "${C_S:-}")
	[ "$(sql_value 'SELECT count(*) FROM count_history')" -eq "$ROWS" ] ||
		die "count_history does not hold $ROWS rows after the collector run"
	[ "$(sql_value 'SELECT count(*) FROM submission')" -eq "$NBATCHES" ] ||
		die "submission does not hold $NBATCHES rows after the collector run"
	[ "$(fingerprint_history)" = "$HISTORY" ] || die "the collector stored other rows than COPY"
}

# ROUNDS of COPY, COPY by batch and the collector, each from an empty store after a
# checkpoint; the best of each is the figure (this machine's other work
# only ever slows a run). The last collector's data stays for the rest.
run_ingest() {
	copy_file
	for r in $(seq 1 "$ROUNDS"); do
		say "round $r of $ROUNDS: COPY, COPY by batch, then the collector ($ROWS counts in $NBATCHES batches over $STREAMS connection(s))"
		copy_once
		copy_batches_once
		collector_once
	done
	rm -f "$TMP/rows/all.tsv" "$TMP/rows/batches.sql" "$TMP"/rows/batch-*.tsv
	sql -c "VACUUM (ANALYZE) count_history, submission"
}

# A collector started on the whole country: how soon it answers, how long
# it takes to load its current-value cache (in the background, from the
# start) and how much memory that takes.
run_collector_restart() {
	bench_start collector "$COLLECTOR_URL" "$COLLECTOR"
	COLLECTOR_START_S=$START_S
	wait_cache_load
	[ "$CACHE_KEYS" -eq "$KEYS" ] || die "the cache loaded $CACHE_KEYS keys, not $KEYS"
	COLLECTOR_RSS=$(bench_rss_peak)
	if [ "$COLLECTOR_INGEST_RSS" -gt "$COLLECTOR_RSS" ]; then COLLECTOR_RSS=$COLLECTOR_INGEST_RSS; fi
	bench_stop
}

# ---- aggregator -----------------------------------------------------------------

# The recorder's backlog: every state of every table, from an aggregator
# started on the data the collector stored.
run_recording() {
	bench_start aggregator "$AGGREGATOR_URL" "$AGGREGATOR"
	AGGREGATOR_START_EMPTY_S=$START_S
	wait_recorded
	BACKLOG_S=$WAITED
	BACKLOG_STATES=$(states)
	RECORD_RSS=$(bench_rss_peak)
	bench_stop
	VERSION=$(sql_value "SELECT max(id) FROM submission")
	say "recorded $BACKLOG_STATES states in $BACKLOG_S s"
}

run_series() {
	aggregator_pass "$TMP/indicators.txt" "$TMP/areas.txt" "$TMP/municipalities.txt" \
		"$SECONDS_MEASURED" "$TMP/client.out"
	SERIES_RSS=$PASS_RSS_HWM
	A_RATE=$(client_value requests_per_s)
	A_P99=$(client_value p99_ms)
	run_raw
}

# The raw SQL a review of municipality 9001 needs: every indicator in its
# districts over the review's years and the year before, current values;
# the ids are given as arrays, so that the primary key's index serves it.
review_sql() {
	local inds areas
	inds=$(sql_value "SELECT string_agg(id::text, ',') FROM indicator")
	areas=$(sql_value "SELECT string_agg(a.id::text, ',') FROM area a JOIN area m ON m.id = a.parent_id
	                    WHERE m.code = '9001'")
	cat <<SQL
SELECT count(*) FROM (
SELECT DISTINCT ON (indicator_id, area_id, period) value
  FROM count_history
 WHERE indicator_id = ANY('{$inds}'::int[]) AND area_id = ANY('{$areas}'::int[])
   AND period BETWEEN $(((REVIEW_YEAR - 6) * 10 + 1)) AND $((REVIEW_YEAR * 10 + 4))
 ORDER BY indicator_id, area_id, period, submission_id DESC) x;
SQL
}

# A fresh aggregator (every state recorded, nothing cached): start-up,
# then one GET /review of a municipality, timed by curl; then the raw SQL.
run_review() {
	bench_start aggregator "$AGGREGATOR_URL" "$AGGREGATOR" --public --log-level warn
	AGGREGATOR_START_S=$START_S
	local out
	out=$(curl -s -o "$TMP/review.html" -w '%{http_code} %{time_total} %{size_download}' \
		"http://$LISTEN/review/$REVIEW_YEAR?area=9001")
	REVIEW_RSS=$(bench_rss_peak)
	bench_stop
	[ "${out%% *}" = 200 ] || die "GET /review answered ${out%% *}"
	REVIEW_S=$(echo "$out" | cut -d' ' -f2)
	REVIEW_BYTES=$(echo "$out" | cut -d' ' -f3)
	review_sql >"$TMP/review.sql"
	local t0 t1
	t0=$(now)
	REVIEW_SQL_ROWS=$("$PG_BIN/psql" -X -At -v ON_ERROR_STOP=1 -f "$TMP/review.sql" "$AGGREGATOR_URL")
	t1=$(now)
	REVIEW_SQL_S=$(elapsed "$t0" "$t1")
}

# ---- results -------------------------------------------------------------------

# max of KiB figures, in MiB
mib() { local m=0 v; for v in "$@"; do [ "$v" -gt "$m" ] && m=$v; done; echo $(((m + 1023) / 1024)); }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
met() { awk -v v="$1" -v t="$2" -v op="$3" 'BEGIN { ok = (op == "ge") ? v >= t : v < t; print ok ? "met" : "NOT met" }'; }

summarise() {
	C_RATE=$(awk -v n="$ROWS" -v s="$C_S" 'BEGIN { printf "%.0f", n / s }')
	COPY_RATE=$(awk -v n="$ROWS" -v s="$COPY_S" 'BEGIN { printf "%.0f", n / s }')
	R_INGEST=$(ratio "$COPY_S" "$C_S")
	BATCHED_RATE=$(awk -v n="$ROWS" -v s="$BATCHED_S" 'BEGIN { printf "%.0f", n / s }')
	R_BATCHED=$(ratio "$BATCHED_S" "$C_S")
	R_SERIES=$(ratio "$A_RATE" "$R_RATE")
	C_MIB=$(mib "$COLLECTOR_RSS")
	A_MIB=$(mib "$RECORD_RSS" "$SERIES_RSS" "$REVIEW_RSS")
}

results() {
	cat <<EOF

=== national benchmark ($(nproc) cpus, PostgreSQL $(sql_value 'SHOW server_version'), durable) ===
data        $ROWS counts, $KEYS keys: $INDICATORS indicators x $((MUNICIPALITIES * DISTRICTS)) districts in $MUNICIPALITIES municipalities x $((YEARS * 4)) quarters (${FIRST_YEAR}Q1-${LAST_YEAR}Q4), $REVISED_PERCENT% revised

figure                          measured              reference                       ratio    target
ingest, counts/s                $(printf '%-21s' "$C_RATE") COPY $(printf '%-26s' "$COPY_RATE") $(printf '%-8s' "$R_INGEST") >= $TARGET_INGEST ($(met "$R_INGEST" "$TARGET_INGEST" ge))
  seconds                       $(printf '%-21s' "$C_S") $(printf '%-31s' "$COPY_S") (best of $ROUNDS; $NBATCHES batches of $BATCH over $STREAMS connection(s); collector CPU $C_CPU s; cache hits $CACHE_HITS, misses $CACHE_MISSES in the last)
  against COPY by batch         $(printf '%-21s' "$C_RATE") $(printf '%-31s' "$BATCHED_RATE") $(printf '%-8s' "$R_BATCHED") ($BATCHED_S s: a transaction per batch, one psql)
series, requests/s              $(printf '%-21s' "$A_RATE") pgbench $(printf '%-23s' "$R_RATE") $(printf '%-8s' "$R_SERIES")
series p99 ms (concurrency $CONCURRENCY)  $(printf '%-21s' "$A_P99") pgbench avg $(printf '%-19s' "$R_LATENCY") -        < $TARGET_P99_MS ($(met "$A_P99" "$TARGET_P99_MS" lt))
review of 9001, cold, s         $(printf '%-21s' "$REVIEW_S") raw SQL $(printf '%-23s' "$REVIEW_SQL_S") $(printf '%-8s' "$(ratio "$REVIEW_S" "$REVIEW_SQL_S")") ($REVIEW_BYTES bytes; SQL $REVIEW_SQL_ROWS rows)
collector start-up, s           $(printf '%-21s' "$COLLECTOR_START_S") psql $(printf '%-26s' "$PSQL_START_S") -        < $TARGET_START_S ($(met "$COLLECTOR_START_S" "$TARGET_START_S" lt)); on an empty store $COLLECTOR_START_EMPTY_S
  cache load in the background  $CACHE_KEYS keys in $CACHE_MS ms
aggregator start-up, s          $(printf '%-21s' "$AGGREGATOR_START_S") psql $(printf '%-26s' "$PSQL_START_S") -        < $TARGET_START_S ($(met "$AGGREGATOR_START_S" "$TARGET_START_S" lt)); before recording $AGGREGATOR_START_EMPTY_S
collector peak RSS, MiB         $(printf '%-21s' "$C_MIB") -                               -        < $TARGET_COLLECTOR_RSS_MIB ($(met "$C_MIB" "$TARGET_COLLECTOR_RSS_MIB" lt))
aggregator peak RSS, MiB        $(printf '%-21s' "$A_MIB") -                               -        < $TARGET_AGGREGATOR_RSS_MIB ($(met "$A_MIB" "$TARGET_AGGREGATOR_RSS_MIB" lt))
  recording, series, review     $(mib "$RECORD_RSS") / $(mib "$SERIES_RSS") / $(mib "$REVIEW_RSS") MiB; backlog $BACKLOG_STATES states in $BACKLOG_S s
EOF
}

write_json() {
	mkdir -p "$OUT"
	local file=$OUT/national-$STAMP.json
	cat >"$file" <<JSON
{
  "benchmark": "national",
  "time": "$STAMP",
  "commit": "$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)",
  "cpus": $(nproc),
  "municipalities": $MUNICIPALITIES, "districts": $((MUNICIPALITIES * DISTRICTS)),
  "indicators": $INDICATORS, "quarters": $((YEARS * 4)), "keys": $KEYS, "counts": $ROWS,
  "ingest": {"collector_seconds": $C_S, "collector_counts_per_s": $C_RATE, "streams": $STREAMS,
    "rounds": $ROUNDS, "cache_mb": "${BENCH_CACHE_MB:-default}",
    "batches": $NBATCHES, "collector_cpu_seconds": $C_CPU,
    "cache_hits_last_round": $CACHE_HITS, "cache_misses_last_round": $CACHE_MISSES,
    "copy_seconds": $COPY_S, "copy_counts_per_s": $COPY_RATE, "ratio": $R_INGEST,
    "copy_by_batch_seconds": $BATCHED_S, "copy_by_batch_counts_per_s": $BATCHED_RATE,
    "ratio_by_batch": $R_BATCHED,
    "target": $TARGET_INGEST},
  "series": {"requests_per_s": $A_RATE, "p50_ms": $(client_value p50_ms), "p99_ms": $A_P99,
    "raw_queries_per_s": $R_RATE, "raw_latency_avg_ms": $R_LATENCY, "ratio": $R_SERIES,
    "target_p99_ms": $TARGET_P99_MS},
  "review": {"cold_seconds": $REVIEW_S, "bytes": $REVIEW_BYTES, "raw_sql_seconds": $REVIEW_SQL_S},
  "start": {"collector_seconds": $COLLECTOR_START_S, "collector_empty_seconds": $COLLECTOR_START_EMPTY_S,
    "cache_keys": $CACHE_KEYS, "cache_load_ms": $CACHE_MS,
    "aggregator_seconds": $AGGREGATOR_START_S, "aggregator_empty_seconds": $AGGREGATOR_START_EMPTY_S,
    "psql_seconds": $PSQL_START_S, "target_seconds": $TARGET_START_S},
  "rss_mib": {"collector": $C_MIB, "aggregator": $A_MIB,
    "aggregator_recording": $(mib "$RECORD_RSS"), "aggregator_series": $(mib "$SERIES_RSS"),
    "aggregator_review": $(mib "$REVIEW_RSS"),
    "target_collector": $TARGET_COLLECTOR_RSS_MIB, "target_aggregator": $TARGET_AGGREGATOR_RSS_MIB},
  "recording": {"backlog_states": $BACKLOG_STATES, "backlog_seconds": $BACKLOG_S}
}
JSON
	say "figures in $file"
}

bench_build "$ADMIN" "$COLLECTOR" "$AGGREGATOR" "$INGEST_CLIENT" "$CLIENT"
command -v "$PG_BIN/pgbench" >/dev/null || die "no pgbench in $PG_BIN"
cluster
catalogue
run_ingest
run_collector_restart
run_psql_start
run_recording
run_series
run_review
summarise
results
write_json
