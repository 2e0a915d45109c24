#!/usr/bin/env bash
# Usefulness of disclosure control (issue 7): the share of present cells
# that are published, and the hidden ones split into small counts (which
# must be hidden) and secondary cells, over every table of the demo data
# (Nacka and Norrköping, 27 indicators, 2019Q1 to the last finished
# quarter, planted as one submission per agency and quarter). Measured for
# this build's aggregator (every state protected against every earlier
# one) and for a baseline's (BENCH_BASELINE, default 6af32ce: one state at
# a time, hidden cells kept from earlier states) on the same database.
# bench/series.sh gives the same figures for its data with BENCH_STATS=1.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"
AGGREGATOR=$BUILD/aggregator/samlad-aggregator

bench_build "$ADMIN" "$AGGREGATOR"
bench_cluster fast
bench_baseline
AGG_URL=$("$PG" url "$TMP/pg" samlad_aggregator samlad)
DATABASE_URL=$ADMIN_URL "$ADMIN" catalogue import "$ROOT/catalogue/demo" >/dev/null
TOKEN=$(DATABASE_URL=$ADMIN_URL "$ADMIN" token create --role analyst | tail -n 1)
DATABASE_URL=$ADMIN_URL "$ADMIN" demo-data --out "$TMP/demo" >/dev/null
chmod -R a+rX "$TMP/demo"
PYTHONPATH=$ROOT/tests/e2e/review python3 -c "
import plant, sys
plant.plant(['$PG_BIN/psql', '$ADMIN_URL'], '$TMP/demo')"
say "demo data planted: $(sql_value 'SELECT count(*) FROM count_history') counts"

# One aggregator's figures into the named variable.
stats() {
	local var=$1 program=$2
	bench_start aggregator "$AGG_URL" "$program"
	if [ "$program" = "$AGGREGATOR" ]; then
		until [ "$(sql_value "SELECT (SELECT data_version FROM record_progress
		                               ORDER BY data_version DESC, catalogue_version DESC
		                               LIMIT 1) >= (SELECT max(id) FROM submission)")" = t ]; do
			sleep 0.1
		done
	fi
	printf -v "$var" '%s' "$(python3 "$ROOT/bench/disclosure_stats.py" "http://$LISTEN" "$TOKEN" "$ADMIN_URL")"
	bench_stop
}

stats AFTER "$AGGREGATOR"
stats BEFORE "$BASELINE_AGGREGATOR"
cat <<OUT

=== disclosure control: what is published (demo data) ===
before (${BENCH_BASELINE:-6af32ce}) $BEFORE
after                        $AFTER
OUT
mkdir -p "$OUT"
printf '{"benchmark": "disclosure", "time": "%s", "data": "demo", "before": %s, "after": %s}\n' \
	"$STAMP" "$BEFORE" "$AFTER" >"$OUT/disclosure-$STAMP.json"
say "figures in $OUT/disclosure-$STAMP.json"
