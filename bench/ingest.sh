#!/usr/bin/env bash
# The ingest benchmark (issue 2, "Speed"): 1,000,000 counts posted to the
# collector in batches of 10,000 over HTTP, half new keys and half revisions,
# against two plain-SQL references measured on the same cluster, the same
# rows and the same tables in the same run:
#   COPY           the rows with resolved ids into count_history by psql \copy
#   staged upsert  per batch: COPY into a temp table, INSERT ... ON CONFLICT
#                  into a current-value table
# Prints a table and the ratios, and writes them as JSON to
# bench/out/ingest-<UTC time>.json. See bench/README.md.
#
# Environment (all optional):
#   SAMLAD_BUILD   the build folder (default build/)
#   BENCH_KEYS     distinct keys, each posted twice (default 500000; smaller
#                  only for a quick check of the script itself)
#   BENCH_STREAMS  requests in flight, one keep-alive connection each
#                  (default 1; the collector writes one batch at a time,
#                  so more streams only overlap reading JSON with writing)
#   BENCH_PERF     1: record the whole machine with perf during the
#                  collector run, into bench/out/perf-ingest-<time>.data
#   BENCH_STATEMENTS 1: log the duration of every statement the collector
#                  runs and print the totals by statement (costs a little)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
# lib.sh sets BUILD, PG, PG_BIN, ADMIN, OUT and STAMP.
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"
COLLECTOR=$BUILD/collector/samlad-collector
CLIENT=$BUILD/bench/ingest-client

# shellcheck source=bench/lib_ingest.sh
. "$ROOT/bench/lib_ingest.sh"

KEYS=${BENCH_KEYS:-500000}
STREAMS=${BENCH_STREAMS:-1}
BATCH=${BENCH_BATCH:-10000}
INDICATORS=50
MUNICIPALITY=9999
AGENCY=bench
FIRST_PERIOD=2000Q1

cluster() {
	# Durable defaults on purpose: fsync, synchronous_commit and
	# full_page_writes stay on (no "fast").
	bench_cluster ""
	mkdir -p "$TMP/catalogue" "$TMP/rows"
	COLLECTOR_URL=$("$PG" url "$TMP/pg" samlad_collector samlad)
}

# Quarters from 2000Q1 up to the current one (UTC).
quarters() {
	local y m
	y=$(date -u +%Y)
	m=$(date -u +%-m)
	echo $(((y - 2000) * 4 + (m - 1) / 3 + 1))
}

# One agency, INDICATORS indicators, one municipality with enough districts
# that indicators x districts x quarters >= KEYS.
catalogue() {
	local dir=$TMP/catalogue nq i
	nq=$(quarters)
	DISTRICTS=$(((KEYS + INDICATORS * nq - 1) / (INDICATORS * nq)))
	[ "$DISTRICTS" -lt 100 ] && DISTRICTS=100
	[ "$DISTRICTS" -le 999 ] || die "$KEYS keys need $DISTRICTS districts; at most 999"
	SPACE=$((INDICATORS * DISTRICTS * nq))
	[ "$SPACE" -ge "$KEYS" ] || die "only $SPACE distinct keys for $KEYS"
	echo "code,name" >"$dir/agencies.csv"
	echo "$AGENCY,Bench agency" >>"$dir/agencies.csv"
	{
		echo "code,name,parent"
		echo "$MUNICIPALITY,Benchby,"
		for i in $(seq 1 "$DISTRICTS"); do
			printf '%s-d%03d,Benchby district %d,%s\n' "$MUNICIPALITY" "$i" "$i" "$MUNICIPALITY"
		done
	} >"$dir/areas.csv"
	bench_indicators_csv "$AGENCY" "$INDICATORS" >"$dir/indicators.csv"
	{
		echo "agency,indicator,area"
		for i in $(seq 1 "$INDICATORS"); do
			printf '%s,%s.i%02d,%s\n' "$AGENCY" "$AGENCY" "$i" "$MUNICIPALITY"
		done
	} >"$dir/permissions.csv"
	DATABASE_URL=$ADMIN_URL "$ADMIN" catalogue import "$dir" >/dev/null
	TOKEN=$(DATABASE_URL=$ADMIN_URL "$ADMIN" token create --role submitter --agency "$AGENCY" | tail -n 1)
	[ -n "$TOKEN" ] || die "token create printed no token"
	# The ids the plain-SQL references use, in the client's key order.
	sql -At -F $'\t' -c "SELECT code, id FROM indicator WHERE code LIKE '$AGENCY.%' ORDER BY code" \
		>"$TMP/indicators.tsv"
	sql -At -F $'\t' -c "SELECT a.code, a.id FROM area a
		WHERE a.code LIKE '$MUNICIPALITY-%'
		  AND NOT EXISTS (SELECT 1 FROM area c WHERE c.parent_id = a.id) ORDER BY a.code" \
		>"$TMP/areas.tsv"
	[ "$(wc -l <"$TMP/areas.tsv")" -eq "$DISTRICTS" ] || die "the import did not store $DISTRICTS districts"
	say "catalogue: $INDICATORS indicators x $DISTRICTS districts x $nq quarters = $SPACE keys (using $KEYS)"
}

client_args() {
	echo --indicators "$TMP/indicators.tsv" --areas "$TMP/areas.tsv" \
		--first-period "$FIRST_PERIOD" --keys "$KEYS" --batch-size "$BATCH"
}

# The CPU the collector and its PostgreSQL sessions used in the run: with
# the wall time, it says where the time went.
collector_cpu() {
	local pids p files=()
	C_CPU=$(cpu_seconds "/proc/$PROGRAM_PID/stat")
	pids=$(sql_value "SELECT pid FROM pg_stat_activity WHERE usename = 'samlad_collector'")
	for p in $pids; do files+=("/proc/$p/stat"); done
	C_DB_CPU=0
	[ "${#files[@]}" -gt 0 ] && C_DB_CPU=$(cpu_seconds "${files[@]}")
}

perf_start() {
	[ "${BENCH_PERF:-}" = 1 ] || return 0
	PERF_DATA=$OUT/perf-ingest-$STAMP.data
	perf record -a -g -o "$PERF_DATA" >"$TMP/perf.log" 2>&1 &
	PERF_PID=$!
	sleep 1
}

perf_stop() {
	[ -n "$PERF_PID" ] || return 0
	kill -INT "$PERF_PID" 2>/dev/null || true
	wait "$PERF_PID" 2>/dev/null || true
	PERF_PID=
	say "perf data in $PERF_DATA; by program:"
	perf report -i "$PERF_DATA" --stdio --no-children --sort comm 2>/dev/null |
		grep -E '^ +[0-9]' | head -n 8 >&2 || true
}

# BENCH_STATEMENTS=1: the collector's sessions log every statement with its
# duration (set before it connects).
statements_start() {
	[ "${BENCH_STATEMENTS:-}" = 1 ] || return 0
	"$PG" psql "$TMP/pg" -d samlad -c "ALTER ROLE samlad_collector SET log_min_duration_statement = 0"
	LOG_START=$(wc -l <"$TMP/pg/postgres.log")
}

# Sums the logged durations by step (parse, bind, execute, statement) and the
# first words of the SQL, largest first.
statements_report() {
	[ "${BENCH_STATEMENTS:-}" = 1 ] || return 0
	"$PG" psql "$TMP/pg" -d samlad -c "ALTER ROLE samlad_collector RESET log_min_duration_statement"
	say "collector statements, total ms by statement:"
	tail -n +"$((LOG_START + 1))" "$TMP/pg/postgres.log" | awk '
		/duration: [0-9.]+ ms/ {
			match($0, /duration: [0-9.]+ ms +/)
			ms = substr($0, RSTART + 10, RLENGTH - 10) + 0
			rest = substr($0, RSTART + RLENGTH)
			sub(/<unnamed>/, "", rest)
			key = substr(rest, 1, 60)
			total[key] += ms; n[key]++
		}
		END { for (k in total) printf "%10.1f ms %6d x  %s\n", total[k], n[k], k }' |
		sort -rn | head -n 12 >&2
}

run_collector() {
	statements_start
	# shellcheck disable=SC2086 # flags for a trial, split on purpose
	bench_start collector "$COLLECTOR_URL" "$COLLECTOR" ${BENCH_COLLECTOR_FLAGS:-}
	say "collector on $LISTEN; posting $((2 * KEYS)) counts in batches of $BATCH over $STREAMS connection(s)"
	checkpoint
	perf_start
	# shellcheck disable=SC2046
	SAMLAD_TOKEN=$TOKEN "$CLIENT" post --url "http://$LISTEN" --streams "$STREAMS" $(client_args) >"$TMP/client.out" ||
		die "the collector run failed (collector log: $(tail -n 5 "$TMP/collector.log" | tr '\n' ' '))"
	perf_stop
	collector_cpu
	bench_stop
	statements_report
	C_SECONDS=$(awk '$1 == "seconds" { print $2 }' "$TMP/client.out")
	C_CONNECTIONS=$(awk '$1 == "connections" { print $2 }' "$TMP/client.out")
	[ "$C_CONNECTIONS" = "$STREAMS" ] || say "warning: the client opened $C_CONNECTIONS connections, not $STREAMS (keep-alive broken?)"
	ROWS=$((2 * KEYS))
	[ "$(sql_value 'SELECT count(*) FROM count_history')" -eq "$ROWS" ] ||
		die "count_history does not hold $ROWS rows after the collector run"
	[ "$(sql_value 'SELECT count(*) FROM submission')" -eq "$((ROWS / BATCH))" ] ||
		die "submission does not hold $((ROWS / BATCH)) rows after the collector run"
	HISTORY=$(fingerprint_history)
	CURRENT=$(fingerprint_current count_current)
}

# How long a collector that starts on the full history takes to load its
# current-value cache: a fresh collector loads it in the background from
# its start; the time comes from its log. Not part of the ratios; runs
# after the fingerprints, and the tables are truncated next anyway.
run_cache_load() {
	bench_start collector "$COLLECTOR_URL" "$COLLECTOR"
	wait_cache_load
	bench_stop
}

reset_tables() { sql -c "TRUNCATE count_history, submission"; }

run_copy() {
	# shellcheck disable=SC2046
	"$CLIENT" files --out "$TMP/rows" $(client_args)
	cat "$TMP"/rows/batch-*.tsv >"$TMP/rows/all.tsv"
	reset_tables
	checkpoint
	say "COPY of $ROWS rows into count_history"
	local t0 t1
	t0=$(now)
	sql -c "\\copy count_history (indicator_id, area_id, period, submission_id, value) FROM '$TMP/rows/all.tsv'"
	t1=$(now)
	COPY_SECONDS=$(elapsed "$t0" "$t1")
	[ "$(fingerprint_history)" = "$HISTORY" ] ||
		die "COPY stored other rows than the collector"
}

# One psql session, one transaction per batch.
staged_script() {
	local f
	for f in "$TMP"/rows/batch-*.tsv; do
		cat <<SQL
BEGIN;
CREATE TEMP TABLE stage (indicator_id int, area_id int, period int, submission_id bigint, value int) ON COMMIT DROP;
\\copy stage (indicator_id, area_id, period, submission_id, value) FROM '$f'
INSERT INTO bench_current (indicator_id, area_id, period, value, submission_id)
	SELECT indicator_id, area_id, period, value, submission_id FROM stage
	ON CONFLICT (indicator_id, area_id, period)
	DO UPDATE SET value = EXCLUDED.value, submission_id = EXCLUDED.submission_id;
COMMIT;
SQL
	done
}

run_staged() {
	staged_script >"$TMP/staged.sql"
	reset_tables
	sql -c "CREATE TABLE bench_current (indicator_id int, area_id int, period int, value int,
		submission_id bigint, PRIMARY KEY (indicator_id, area_id, period))"
	checkpoint
	say "staged upsert of $ROWS rows into bench_current"
	local t0 t1
	t0=$(now)
	sql -f "$TMP/staged.sql"
	t1=$(now)
	STAGED_SECONDS=$(elapsed "$t0" "$t1")
	[ "$(fingerprint_current bench_current)" = "$CURRENT" ] ||
		die "the staged upsert left other current values than the collector"
}

rate() { awk -v n="$ROWS" -v s="$1" 'BEGIN { printf "%.0f", n / s }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b / a }'; }

results() {
	C_RATE=$(rate "$C_SECONDS")
	COPY_RATE=$(rate "$COPY_SECONDS")
	STAGED_RATE=$(rate "$STAGED_SECONDS")
	# Rates compare as the inverse of times on the same rows.
	R_COPY=$(ratio "$C_SECONDS" "$COPY_SECONDS")
	R_STAGED=$(ratio "$C_SECONDS" "$STAGED_SECONDS")
	MET=$(awk -v r="$R_COPY" 'BEGIN { print (r >= 0.40) ? "true" : "false" }')
	echo
	printf '%-28s %9s %9s %10s\n' method rows seconds rows/s
	printf '%-28s %9d %9.3f %10d\n' "collector (HTTP, JSON)" "$ROWS" "$C_SECONDS" "$C_RATE"
	printf '%-28s %9d %9.3f %10d\n' "COPY (psql \\copy)" "$ROWS" "$COPY_SECONDS" "$COPY_RATE"
	printf '%-28s %9d %9.3f %10d\n' "staged upsert (psql)" "$ROWS" "$STAGED_SECONDS" "$STAGED_RATE"
	echo
	printf 'collector / COPY            %.3f\n' "$R_COPY"
	printf 'collector / staged upsert   %.3f\n' "$R_STAGED"
	printf 'target: collector/COPY ≥ 0.40   (%s)\n' "$([ "$MET" = true ] && echo met || echo NOT met)"
	printf 'collector CPU: %s s in samlad-collector, %s s in its PostgreSQL sessions\n' \
		"$C_CPU" "$C_DB_CPU"
	printf 'collector cache load at start: %s keys from %s history rows in %s ms\n' \
		"$CACHE_KEYS" "$ROWS" "$CACHE_MS"
	printf 'collector batches: median %s ms new, %s ms revisions\n' \
		"$(awk '$1 == "batch_ms_new_median" { print $2 }' "$TMP/client.out")" \
		"$(awk '$1 == "batch_ms_revision_median" { print $2 }' "$TMP/client.out")"
}

client_value() { awk -v k="$1" '$1 == k { print $2 }' "$TMP/client.out"; }

write_json() {
	mkdir -p "$OUT"
	local file=$OUT/ingest-$STAMP.json
	cat >"$file" <<JSON
{
  "benchmark": "ingest",
  "time": "$STAMP",
  "commit": "$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)",
  "cpus": $(nproc),
  "postgresql": "$(sql_value 'SHOW server_version')",
  "durable": {"fsync": "$(sql_value 'SHOW fsync')", "synchronous_commit": "$(sql_value 'SHOW synchronous_commit')", "full_page_writes": "$(sql_value 'SHOW full_page_writes')"},
  "keys": $KEYS,
  "rows": $ROWS,
  "batch_size": $BATCH,
  "streams": $STREAMS,
  "batches": $((ROWS / BATCH)),
  "collector": {"seconds": $C_SECONDS, "rows_per_s": $C_RATE, "connections": $C_CONNECTIONS,
    "cpu_seconds": $C_CPU, "db_cpu_seconds": $C_DB_CPU,
    "cache_load_keys": $CACHE_KEYS, "cache_load_ms": $CACHE_MS,
    "body_bytes": $(client_value body_bytes),
    "batch_ms_new_median": $(client_value batch_ms_new_median), "batch_ms_new_max": $(client_value batch_ms_new_max),
    "batch_ms_revision_median": $(client_value batch_ms_revision_median), "batch_ms_revision_max": $(client_value batch_ms_revision_max)},
  "copy": {"seconds": $COPY_SECONDS, "rows_per_s": $COPY_RATE},
  "staged_upsert": {"seconds": $STAGED_SECONDS, "rows_per_s": $STAGED_RATE},
  "ratio_collector_copy": $R_COPY,
  "ratio_collector_staged_upsert": $R_STAGED,
  "target_ratio_collector_copy": 0.40,
  "target_met": $MET
}
JSON
	say "figures in $file"
}

bench_build "$ADMIN" "$COLLECTOR" "$CLIENT"
cluster
catalogue
run_collector
run_cache_load
run_copy
run_staged
results
write_json
