# shellcheck shell=bash
# The variables these functions set are read by their callers.
# shellcheck disable=SC2034
# What the series and national benchmarks share (sourced after lib.sh):
# waiting for the recorder, one aggregator pass of series-client, and the
# raw SQL reference by pgbench. The caller sets TMP, ADMIN_URL, TOKEN,
# AGGREGATOR, AGGREGATOR_URL, AGGREGATOR_ARGS, CLIENT, CONCURRENCY, FROM,
# TO, MUNICIPALITIES, DISTRICTS and (for pgbench) VERSION and
# SECONDS_MEASURED; ids_check sets IND0 and LEAF0.

# pgbench draws a municipality and an indicator as numbers, so the ids must
# follow from them: indicators IND0 .. IND0 + INDICATORS - 1, and the
# districts of the m-th municipality (by id, from 0) LEAF0 + 10m .. + 9.
ids_check() {
	local bad
	IND0=$(sql_value "SELECT min(id) FROM indicator")
	LEAF0=$(sql_value "SELECT min(id) FROM area WHERE parent_id IS NOT NULL")
	bad=$(sql_value "SELECT (SELECT max(id) - min(id) + 1 <> count(*) FROM indicator)::int
		+ (SELECT count(*) FROM area d
		     JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS idx
		             FROM area WHERE parent_id IS NULL) mu ON mu.id = d.parent_id
		    WHERE (d.id - $LEAF0) / $DISTRICTS <> mu.idx)
		+ (SELECT count(*) <> $((MUNICIPALITIES * DISTRICTS))
		     FROM area WHERE parent_id IS NOT NULL)::int")
	[ "$bad" -eq 0 ] || die "the import numbered the ids otherwise than expected; pgbench's mix would differ"
}

# True (0) when the recorder's watermark has reached the newest submission
# and catalogue version.
recorded() {
	[ "$(sql_value "SELECT (SELECT data_version >= (SELECT coalesce(max(id), 0) FROM submission)
	                              AND catalogue_version >= (SELECT version FROM catalogue_version)
	                          FROM record_progress ORDER BY data_version DESC,
	                               catalogue_version DESC LIMIT 1)::int")" = 1 ]
}

# Waits for the recorder (of the aggregator that runs) to catch up; sets
# WAITED to the seconds it took, to the millisecond.
wait_recorded() {
	local t0 t1
	t0=$(date +%s%N)
	until recorded; do
		kill -0 "$PROGRAM_PID" 2>/dev/null || die "the aggregator stopped while recording (log: $(tail -n 3 "$TMP/aggregator.log" | tr '\n' ' '))"
		sleep 0.05
	done
	t1=$(date +%s%N)
	WAITED=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
}

states() { sql_value "SELECT count(*) FROM table_state"; }

# Statements the database has finished, for statements per request. A
# backend reports its counts at the latest when it exits.
statements() { sql_value "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = 'samlad'"; }

# A figure of the client's output: client_value NAME [FILE].
client_value() { awk -v k="$1" '$1 == k { print $2 }' "${2:-$TMP/client.out}"; }

# One aggregator process from start to stop: a warm-up pass and a measured
# pass of the mix in INDFILE x AREAFILE, figures into OUTFILE. WARMUP is
# seconds of the same mix, or a file of areas to sweep (every indicator in
# every one of them once). Sets
# PASS_RSS_HWM, PASS_RSS_NOW (KiB) and PASS_STATEMENTS (per request, both
# passes).
aggregator_pass() {
	local indfile=$1 areafile=$2 warmup=$3 seconds=$4 outfile=$5 perf=${6:-} s0 s1 n
	local warm_args=(--warmup "$warmup") warm_text="$warmup s warm-up"
	if [ -f "$warmup" ]; then
		warm_args=(--warmup-areas "$warmup")
		warm_text="warm-up sweep of $(wc -l <"$indfile") indicators x $(wc -l <"$warmup") areas"
	fi
	s0=$(statements)
	bench_start aggregator "$AGGREGATOR_URL" "$AGGREGATOR" "${AGGREGATOR_ARGS[@]}"
	say "aggregator on $LISTEN (pid $PROGRAM_PID): $warm_text, then ${seconds} s measured at concurrency $CONCURRENCY, $(wc -l <"$indfile") indicators x $(wc -l <"$areafile") areas"
	# perf records the measured pass, which starts when the warm-up has
	# answered its last request (the client prints a line then).
	if [ -n "$perf" ]; then
		mkdir -p "$OUT"
		( until grep -q '^warmup_done' "$outfile" 2>/dev/null; do sleep 0.2; done; perf_start ) &
		PERF_PID=$!
	fi
	SAMLAD_TOKEN=$TOKEN "$CLIENT" --url "http://$LISTEN" --indicators "$indfile" \
		--areas "$areafile" --from "$FROM" --to "$TO" --concurrency "$CONCURRENCY" \
		"${warm_args[@]}" --seconds "$seconds" >"$outfile" ||
		die "the aggregator run failed (aggregator log: $(tail -n 5 "$TMP/aggregator.log" | tr '\n' ' '))"
	if [ -n "$PERF_PID" ]; then
		wait "$PERF_PID" 2>/dev/null || true
		PERF_PID=
		perf_report
	fi
	# The slowest request as the aggregator itself timed it (its access
	# log): a wait inside the aggregator, not in the client or the network.
	PASS_SERVER_MAX_MS=$(grep -o ' ms=[0-9.]*' "$TMP/aggregator.log" | cut -d= -f2 | sort -g | tail -n 1)
	PASS_RSS_HWM=$(bench_rss_peak)
	PASS_RSS_NOW=$(bench_rss_now)
	bench_stop
	# The backends have ended and reported their statements.
	sleep 1
	s1=$(statements)
	n=$(($(client_value requests "$outfile") + $(client_value warmup_requests "$outfile")))
	PASS_STATEMENTS=$(awk -v a="$s0" -v b="$s1" -v n="$n" 'BEGIN { printf "%.2f", (b - a) / n }')
	if [ "$(client_value failures "$outfile")" != 0 ] || [ "$(client_value non_200 "$outfile")" != 0 ]; then
		die "the aggregator answered with errors"
	fi
}

# The raw SQL of the current values a series request of the mix needs when
# its tables are not cached (DISTINCT ON the newest submission per key; the
# aggregator itself reads their history, load_history, to rebuild states): one indicator,
# every district of one municipality, the years the series spans with its
# lead-in (2018Q1 .. 2024Q4), as of the newest submission.
pgbench_script() {
	local i list=""
	echo "\\set m random(0, $((MUNICIPALITIES - 1)))"
	echo "\\set ind random($IND0, $((IND0 + INDICATORS - 1)))"
	echo "\\set a0 $LEAF0 + $DISTRICTS * :m"
	for i in $(seq 1 $((DISTRICTS - 1))); do
		echo "\\set a$i :a0 + $i"
	done
	for i in $(seq 0 $((DISTRICTS - 1))); do
		list="${list:+$list,}:a$i::int"
	done
	cat <<SQL
SELECT DISTINCT ON (area_id, period) area_id, period, value
  FROM count_history
 WHERE indicator_id = :ind::int AND area_id = ANY(ARRAY[$list])
   AND period BETWEEN $(((${FROM%Q*} - 1) * 10 + 1)) AND $((${TO%Q*} * 10 + ${TO#*Q}))
   AND submission_id <= $VERSION
 ORDER BY area_id, period, submission_id DESC;
SQL
}

run_pgbench() {
	local url=$1 seconds=$2
	# -M extended: parse, bind and execute per statement, as PQexecParams
	# in the aggregator; -n: no pgbench tables to vacuum.
	"$PG_BIN/pgbench" -n -M extended -c "$CONCURRENCY" -j 2 -T "$seconds" \
		-f "$TMP/raw.sql" "$url"
}

# The rows the query returns for the first indicator and municipality, as
# a check that it fetches what a series needs.
raw_rows() {
	local i vars=(-v "ind=$IND0")
	for i in $(seq 0 $((DISTRICTS - 1))); do
		vars+=(-v "a$i=$((LEAF0 + i))")
	done
	sed -n '/^SELECT/,$p' "$TMP/raw.sql" >"$TMP/raw-once.sql"
	"$PG_BIN/psql" -X -At -v ON_ERROR_STOP=1 "${vars[@]}" -f "$TMP/raw-once.sql" "$AGGREGATOR_URL" | wc -l
}

run_raw() {
	pgbench_script >"$TMP/raw.sql"
	say "pgbench: ${SECONDS_WARMUP:-5} s warm-up, then ${SECONDS_MEASURED} s measured, $CONCURRENCY clients"
	run_pgbench "$AGGREGATOR_URL" "${SECONDS_WARMUP:-5}" >/dev/null 2>"$TMP/pgbench-warm.err" ||
		die "pgbench failed: $(tail -n 3 "$TMP/pgbench-warm.err")"
	run_pgbench "$AGGREGATOR_URL" "$SECONDS_MEASURED" >"$TMP/pgbench.out" 2>"$TMP/pgbench.err" ||
		die "pgbench failed: $(tail -n 3 "$TMP/pgbench.err")"
	R_RATE=$(awk '/^tps = / { print $3; exit }' "$TMP/pgbench.out")
	R_LATENCY=$(awk '/^latency average = / { print $4 }' "$TMP/pgbench.out")
	R_FAILED=$(awk '/^number of failed transactions: / { print $5 }' "$TMP/pgbench.out")
	R_FAILED=${R_FAILED:-0}
	R_ROWS=$(raw_rows)
	[ -n "$R_RATE" ] || die "pgbench printed no tps"
}
