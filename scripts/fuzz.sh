#!/usr/bin/env bash
# Fuzzes every harness in fuzz/ for SECONDS each (default 60) with
# libFuzzer, AddressSanitizer and UndefinedBehaviorSanitizer, in its own
# build folder (build-fuzz, made with clang). Each harness starts from the
# committed seed corpus (fuzz/corpus/NAME) and keeps what it finds in
# build-fuzz/corpus/NAME, so the committed corpus changes only by hand.
# Prints one line per harness: executions, edges covered, and whether it
# found anything; a finding is saved as build-fuzz/crash-NAME-* and makes
# the exit status 1. Runs at the lowest priority (nice 19).
#   scripts/fuzz.sh [SECONDS]
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${SAMLAD_FUZZ_BUILD:-$ROOT/build-fuzz}
SECONDS_EACH=${1:-60}

"$ROOT/scripts/deps.sh" fuzz || exit 1
if [ ! -e "$BUILD/build.ninja" ]; then
	CC=clang meson setup "$BUILD" "$ROOT" -Dfuzz=true -Db_sanitize=address,undefined \
		-Db_lundef=false >/dev/null || exit 1
fi
meson compile -C "$BUILD" >/dev/null || { meson compile -C "$BUILD" 2>&1 | tail -30; exit 1; }

# Every finding stops the run with a report; UBSan's too.
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
status=0
for src in "$ROOT"/fuzz/fuzz_*.c; do
	name=$(basename "$src" .c)
	name=${name#fuzz_}
	mkdir -p "$BUILD/corpus/$name"
	log="$BUILD/fuzz-$name.log"
	nice -n 19 "$BUILD/fuzz/fuzz-$name" -max_total_time="$SECONDS_EACH" \
		-print_final_stats=1 -artifact_prefix="$BUILD/crash-$name-" \
		"$BUILD/corpus/$name" "$ROOT/fuzz/corpus/$name" >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	edges=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
	if [ $rc -eq 0 ]; then verdict="no finding"; else verdict="FINDING (see $log)"; status=1; fi
	printf '%-10s %12s executions %6s edges  %s\n' "$name" "${execs:-?}" "${edges:-?}" "$verdict"
done
exit $status
