# shellcheck shell=bash
# What the ingest and national benchmarks share (sourced after lib.sh):
# wall-clock and CPU time, checkpoints, and fingerprints of what was stored
# so that the collector's run and the COPY reference can be compared. The
# caller sets TMP and ADMIN_URL (bench_cluster).

# Seconds since the epoch with nanoseconds, and the difference of two.
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.6f", b - a }'; }

# CPU seconds (user + system) a process has used, from /proc.
cpu_seconds() {
	awk -v hz="$(getconf CLK_TCK)" '{ s += ($14 + $15) / hz } END { printf "%.2f", s }' "$@" 2>/dev/null ||
		echo 0
}

# Every timed run starts from a checkpoint, so that none pays for the dirty
# pages of the one before.
checkpoint() { "$PG" psql "$TMP/pg" -d samlad -c CHECKPOINT; }

# The stored rows as one hash: keys and their values in submission order.
# Submission ids are left out: with several streams batches may commit in
# another order than the references number them (the receipts show how
# the rows were grouped, and a revision always differs from the value
# before it).
fingerprint_history() {
	sql_value "SELECT count(*) || ' ' || md5(string_agg(concat_ws(',', indicator_id, area_id,
		period, value), ';' ORDER BY indicator_id, area_id, period, submission_id))
		FROM count_history"
}

# The current values as one hash, from the view or from bench_current.
fingerprint_current() {
	sql_value "SELECT count(*) || ' ' || md5(string_agg(concat_ws(',', indicator_id, area_id,
		period, value), ';' ORDER BY indicator_id, area_id, period))
		FROM $1"
}

# Waits (at most 120 s) for the running collector to log that it loaded its
# current-value cache, which it does in the background from its start;
# sets CACHE_KEYS and CACHE_MS, both 0 when no load was logged.
# shellcheck disable=SC2034 # the caller's
wait_cache_load() {
	local line=
	for _ in $(seq 1 1200); do
		line=$(sed -n 's/.*current-value cache: loaded \([0-9]*\) keys at submission [0-9]* in \([0-9]*\) ms.*/\1 \2/p' \
			"$TMP/collector.log" | tail -n 1)
		[ -n "$line" ] && break
		kill -0 "$PROGRAM_PID" 2>/dev/null || break
		sleep 0.1
	done
	line=${line:-0 0}
	CACHE_KEYS=${line% *}
	CACHE_MS=${line#* }
}
