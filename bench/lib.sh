# shellcheck shell=bash
# What the benchmarks share (sourced, not run): messages, psql as the owning
# role, a private cluster in a temporary folder, the build, and clean-up on
# any exit. Set ROOT before sourcing it; BUILD, PG, PG_BIN, ADMIN, OUT and
# STAMP get their usual values unless set.
BUILD=${BUILD:-${SAMLAD_BUILD:-$ROOT/build}}
PG=${PG:-$ROOT/scripts/pg.sh}
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
ADMIN=${ADMIN:-$BUILD/tools/samlad-admin}
OUT=${OUT:-$ROOT/bench/out}
STAMP=${STAMP:-$(date -u +%Y-%m-%dT%H%M%SZ)}
#
# BENCH_KEEP=1 keeps the temporary folder (logs, the stopped cluster) and
# says where it is.
#
# A script keeps the pid of the one program it is measuring in PROGRAM_PID
# and of a running perf in PERF_PID, so that an interrupted run stops them.

say() { echo "bench: $*" >&2; }
die() { say "$*"; exit 1; }

# psql as the owning role; ADMIN_URL comes from bench_cluster.
sql() { "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 "$ADMIN_URL" "$@"; }
# One value from a query, unaligned.
sql_value() { sql -At -c "$1"; }

TMP=
PROGRAM_PID=
PERF_PID=
bench_cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	[ -n "$PERF_PID" ] && kill -INT "$PERF_PID" 2>/dev/null && wait "$PERF_PID" 2>/dev/null
	[ -n "$PROGRAM_PID" ] && kill "$PROGRAM_PID" 2>/dev/null && wait "$PROGRAM_PID" 2>/dev/null
	if [ -n "$TMP" ]; then
		"$PG" stop "$TMP/pg" >/dev/null 2>&1 || true
		if [ "${BENCH_KEEP:-0}" = 1 ]; then
			say "kept $TMP (BENCH_KEEP=1)"
		else
			rm -rf "$TMP"
		fi
	fi
	exit "$rc"
}
trap bench_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Linux's autogroups schedule each session as one entity: PostgreSQL (a
# daemon, its own session) then gets the CPU of one busy shell however
# many backends wait, and a niced CPU hog in another session competes as
# an equal. Requests then wait hundreds of milliseconds for their backend
# now and then (seen here: p99 29 ms and a max of 2.6 s, against 12.9 and
# 32 ms with autogroups off, same data). Said, not changed: it is the
# machine's setting.
bench_sched_note() {
	local f=/proc/sys/kernel/sched_autogroup_enabled
	[ -r "$f" ] && [ "$(cat "$f")" = 1 ] || return 0
	say "note: kernel.sched_autogroup_enabled is 1; latencies include waits for the scheduler's"
	say "      groups (sysctl -w kernel.sched_autogroup_enabled=0 to measure the programs alone)"
}

# Builds, and checks that every program named was built.
bench_build() {
	bench_sched_note
	[ -e "$BUILD/build.ninja" ] || meson setup "$BUILD" "$ROOT" >/dev/null
	meson compile -C "$BUILD" >/dev/null ||
		die "the build failed: run 'meson compile -C $BUILD'"
	local p
	for p in "$@"; do
		[ -x "$p" ] || die "$p was not built"
	done
}

# A new temporary folder TMP with a cluster in TMP/pg, bootstrapped and
# migrated; ADMIN_URL is the owning role's. "fast" as $1 turns durability
# off, for benchmarks that do not measure writes.
bench_cluster() {
	TMP=$(mktemp -d /tmp/samlad-bench.XXXXXX)
	# The cluster's owner (samlad-pg) must reach the folder.
	chmod 755 "$TMP"
	# shellcheck disable=SC2086 # no mode is no argument
	"$PG" init "$TMP/pg" ${1:-} >/dev/null
	"$PG" start "$TMP/pg" >/dev/null
	"$PG" bootstrap "$TMP/pg" samlad >/dev/null
	ADMIN_URL=$("$PG" url "$TMP/pg" samlad_admin samlad)
	DATABASE_URL=$ADMIN_URL "$ADMIN" migrate >/dev/null
	say "cluster in $TMP/pg, migrated"
}

# areas.csv on stdout: N municipalities 9001, 9002, ... of D districts
# each (9001-d01 ...), the municipalities first, then their districts in
# order, so that the import numbers each one's districts consecutively.
bench_areas_csv() {
	local n=$1 d=$2 m i
	echo "code,name,parent"
	for m in $(seq 9001 $((9000 + n))); do echo "$m,Bänkby $m,"; done
	for m in $(seq 9001 $((9000 + n))); do
		for i in $(seq 1 "$d"); do
			printf '%s-d%02d,Bänkby %s distrikt %d,%s\n' "$m" "$i" "$m" "$i" "$m"
		done
	done
}

# indicators.csv on stdout: N first-line flow indicators AGENCY.i01 ... of
# AGENCY, with the default suppression threshold.
bench_indicators_csv() {
	local agency=$1 n=$2 i
	echo "code,agency,level,kind,name_sv,name_en,suppress_below"
	for i in $(seq 1 "$n"); do
		printf '%s.i%02d,%s,first_line,flow,Bänkindikator %d,Bench indicator %d,\n' \
			"$agency" "$i" "$agency" "$i" "$i"
	done
}

# A free loopback port.
bench_free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Starts PROGRAM [ARGS...] on a free port with DATABASE_URL=URL, its log in
# TMP/NAME.log, as PROGRAM_PID, and waits until its /healthz answers (at
# most 30 s, asking every 10 ms); LISTEN is its HOST:PORT and START_S the
# seconds from the fork to the first answer.
# shellcheck disable=SC2034 # START_S is the caller's
bench_start() {
	local name=$1 url=$2 t0
	shift 2
	LISTEN=127.0.0.1:$(bench_free_port)
	t0=$(date +%s%N)
	DATABASE_URL=$url "$@" --listen "$LISTEN" 2>"$TMP/$name.log" &
	PROGRAM_PID=$!
	for _ in $(seq 1 3000); do
		if curl -fsS -o /dev/null "http://$LISTEN/healthz" 2>/dev/null; then
			START_S=$(awk -v a="$t0" -v b="$(date +%s%N)" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
			return 0
		fi
		kill -0 "$PROGRAM_PID" 2>/dev/null || break
		sleep 0.01
	done
	tail -n 20 "$TMP/$name.log" >&2
	die "the $name did not become healthy"
}

# Peak and current RSS of the measured program (PROGRAM_PID), in KiB.
bench_rss_peak() { awk '$1 == "VmHWM:" { print $2 }' "/proc/$PROGRAM_PID/status"; }
bench_rss_now() { awk '$1 == "VmRSS:" { print $2 }' "/proc/$PROGRAM_PID/status"; }

# Stops the program bench_start started.
bench_stop() {
	kill "$PROGRAM_PID" 2>/dev/null || true
	wait "$PROGRAM_PID" 2>/dev/null || true
	PROGRAM_PID=
}

# Builds the aggregator of another commit (BENCH_BASELINE, default the last
# commit before disclosure control over time) into TMP/baseline and sets
# BASELINE_AGGREGATOR, for figures of "before" beside "after". It runs
# against the current schema: it only reads the tables it knew.
bench_baseline() {
	local rev=${BENCH_BASELINE:-6af32ce}
	git -C "$ROOT" worktree add --detach "$TMP/baseline-src" "$rev" >/dev/null 2>&1 ||
		die "cannot check out $rev"
	if ! meson setup "$TMP/baseline" "$TMP/baseline-src" >/dev/null ||
		! meson compile -C "$TMP/baseline" aggregator/samlad-aggregator >/dev/null; then
		die "cannot build the aggregator of $rev"
	fi
	# shellcheck disable=SC2034 # for the sourcing script
	BASELINE_AGGREGATOR=$TMP/baseline/aggregator/samlad-aggregator
	git -C "$ROOT" worktree remove --force "$TMP/baseline-src" >/dev/null 2>&1 || true
	say "baseline: the aggregator of $rev"
}
