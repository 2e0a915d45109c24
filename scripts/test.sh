#!/usr/bin/env bash
# The test command: installs what is missing, builds, starts a throwaway
# PostgreSQL cluster, runs every test, and ends with "N passed, N failed".
#   scripts/test.sh [meson test arguments, e.g. a test name or --suite unit]
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${SAMLAD_BUILD:-$ROOT/build}

"$ROOT/scripts/deps.sh" test || { echo "0 passed, 1 failed"; exit 1; }
if [ ! -e "$BUILD/build.ninja" ]; then
	meson setup "$BUILD" "$ROOT" >/dev/null || { echo "0 passed, 1 failed"; exit 1; }
fi
meson compile -C "$BUILD" >/dev/null || {
	meson compile -C "$BUILD" 2>&1 | tail -40
	echo "0 passed, 1 failed"; exit 1; }

# One cluster for the run; each test makes its own database from the template.
PGDIR=$(mktemp -d /tmp/samlad-test.XXXXXX)
chmod 755 "$PGDIR"
cleanup() { "$ROOT/scripts/pg.sh" stop "$PGDIR"; rm -rf "$PGDIR"; }
trap cleanup EXIT
setup_cluster() {
	"$ROOT/scripts/pg.sh" init "$PGDIR" fast &&
	"$ROOT/scripts/pg.sh" start "$PGDIR" &&
	"$ROOT/scripts/pg.sh" bootstrap "$PGDIR" samlad_template &&
	DATABASE_URL=$("$ROOT/scripts/pg.sh" url "$PGDIR" samlad_admin samlad_template) \
		"$BUILD/tools/samlad-admin" migrate >/dev/null &&
	DATABASE_URL=$("$ROOT/scripts/pg.sh" url "$PGDIR" samlad_admin samlad_template) \
		"$BUILD/tools/samlad-admin" catalogue import "$ROOT/tests/fixtures/catalogue" >/dev/null
}
setup_cluster || { echo "test cluster could not be set up"; echo "0 passed, 1 failed"; exit 1; }

export SAMLAD_TEST_PGDIR=$PGDIR
export SAMLAD_TEST_PGHOST=$PGDIR/run
export SAMLAD_TEST_TEMPLATE=samlad_template

# In a sanitizer build (meson setup -Db_sanitize=address,undefined, see
# docs/testing.md) undefined behaviour fails the test it happens in, as an
# AddressSanitizer finding does; in other builds these do nothing.
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

# A log of this run's own, so that two runs in one build folder never mix.
LOGBASE=testlog-$$
meson test -C "$BUILD" --print-errorlogs --num-processes 2 --logbase "$LOGBASE" "$@"
python3 "$ROOT/scripts/count_tap.py" "$BUILD/meson-logs/$LOGBASE.json"
status=$?
rm -f "$BUILD/meson-logs/$LOGBASE".*
exit $status
