#!/usr/bin/env bash
# The run command: installs what is missing, builds, starts an embedded
# PostgreSQL cluster in .samlad/ (or uses DATABASE_URL), applies migrations,
# imports the demo catalogue, creates demo tokens, loads the demo data with
# plausible arrival times (samlad-admin demo-load), starts the collector and
# the aggregator, and prints how to use them. Ctrl-C stops everything;
# running it again reuses the cluster.
#
# Environment (all optional):
#   DATABASE_URL                  use this server instead of the embedded one
#   SAMLAD_COLLECTOR_DATABASE_URL the collector's connection (default DATABASE_URL)
#   SAMLAD_AGGREGATOR_DATABASE_URL the aggregator's connection (default DATABASE_URL)
#   SAMLAD_STATE_DIR              where the cluster, logs and demo files live (.samlad)
#   SAMLAD_COLLECTOR_LISTEN       default 127.0.0.1:8080
#   SAMLAD_AGGREGATOR_LISTEN      default 127.0.0.1:8081
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${SAMLAD_BUILD:-$ROOT/build}
STATE=${SAMLAD_STATE_DIR:-$ROOT/.samlad}
COLLECTOR_LISTEN=${SAMLAD_COLLECTOR_LISTEN:-127.0.0.1:8080}
AGGREGATOR_LISTEN=${SAMLAD_AGGREGATOR_LISTEN:-127.0.0.1:8081}
ADMIN=$BUILD/tools/samlad-admin

say() { echo "samlad: $*" >&2; }
die() { say "$*"; exit 1; }

build() {
	"$ROOT/scripts/deps.sh" build
	[ -e "$BUILD/build.ninja" ] || meson setup "$BUILD" "$ROOT" >/dev/null
	meson compile -C "$BUILD" >/dev/null || die "the build failed: run 'meson compile -C $BUILD'"
}

# Sets ADMIN_URL, COLLECTOR_URL and AGGREGATOR_URL.
database() {
	if [ -n "${DATABASE_URL:-}" ]; then
		EMBEDDED=
		ADMIN_URL=$DATABASE_URL
		COLLECTOR_URL=${SAMLAD_COLLECTOR_DATABASE_URL:-$DATABASE_URL}
		AGGREGATOR_URL=${SAMLAD_AGGREGATOR_DATABASE_URL:-$DATABASE_URL}
		say "using the PostgreSQL server of DATABASE_URL"
		return
	fi
	EMBEDDED=$STATE/pg
	mkdir -p "$STATE"
	chmod 755 "$STATE"
	"$ROOT/scripts/pg.sh" init "$EMBEDDED"
	"$ROOT/scripts/pg.sh" start "$EMBEDDED"
	"$ROOT/scripts/pg.sh" bootstrap "$EMBEDDED" samlad
	ADMIN_URL=$("$ROOT/scripts/pg.sh" url "$EMBEDDED" samlad_admin samlad)
	COLLECTOR_URL=$("$ROOT/scripts/pg.sh" url "$EMBEDDED" samlad_collector samlad)
	AGGREGATOR_URL=$("$ROOT/scripts/pg.sh" url "$EMBEDDED" samlad_aggregator samlad)
	say "embedded PostgreSQL in $EMBEDDED"
}

# The demo tokens are kept (mode 600) beside the database they belong to, so
# that a second run prints the same ones. Demo only: real tokens are shown
# once and never written anywhere.
tokens() {
	local key file agency
	key=$(printf '%s' "$ADMIN_URL" | sha256sum | cut -c1-16)
	file=$STATE/demo-tokens-$key
	TOKENS=$file
	[ -s "$file" ] && return
	umask 077
	: >"$file.new"
	# A token per agency that may report something: bup and bvc, the kinds of
	# service that own the indicators, report nothing; the regions' do.
	tail -n +2 "$ROOT/catalogue/demo/permissions.csv" | cut -d, -f1 | sort -u | while read -r agency; do
		echo "submitter $agency $(DATABASE_URL=$ADMIN_URL "$ADMIN" token create --role submitter --agency "$agency" | tail -n 1)" >>"$file.new"
	done
	echo "analyst - $(DATABASE_URL=$ADMIN_URL "$ADMIN" token create --role analyst | tail -n 1)" >>"$file.new"
	echo "admin - $(DATABASE_URL=$ADMIN_URL "$ADMIN" token create --role admin | tail -n 1)" >>"$file.new"
	mv "$file.new" "$file"
	umask 022
}

token_of() { awk -v r="$1" -v a="$2" '$1 == r && $2 == a { print $3 }' "$TOKENS"; }

wait_healthy() {
	for _ in $(seq 1 100); do
		curl -fsS "http://$1/healthz" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	die "$2 did not become healthy; see $STATE/$2.log"
}

PIDS=()
stop_all() {
	trap - INT TERM EXIT
	[ ${#PIDS[@]} -gt 0 ] && kill "${PIDS[@]}" 2>/dev/null && wait "${PIDS[@]}" 2>/dev/null
	[ -n "${EMBEDDED:-}" ] && "$ROOT/scripts/pg.sh" stop "$EMBEDDED"
	say "stopped"
}

start_collector() {
	DATABASE_URL=$COLLECTOR_URL "$BUILD/collector/samlad-collector" \
		--listen "$COLLECTOR_LISTEN" 2>"$STATE/samlad-collector.log" &
	PIDS+=($!)
	wait_healthy "$COLLECTOR_LISTEN" samlad-collector
}

start_aggregator() {
	DATABASE_URL=$AGGREGATOR_URL "$BUILD/aggregator/samlad-aggregator" \
		--listen "$AGGREGATOR_LISTEN" 2>"$STATE/samlad-aggregator.log" &
	PIDS+=($!)
	wait_healthy "$AGGREGATOR_LISTEN" samlad-aggregator
}

# Loads the deterministic demo quarters with the times they would have
# arrived (samlad-admin demo-load, demo only: the collector would stamp
# them all with today), so that the reporting page shows agencies on time,
# late and missing. A second run finds them loaded and adds nothing.
demo_data() {
	DATABASE_URL=$ADMIN_URL "$ADMIN" demo-load >"$STATE/demo-load.log" ||
		die "loading the demo data failed; see $STATE/demo-load.log"
	say "demo data loaded ($(head -n 1 "$STATE/demo-load.log"))"
}

# The last quarter that has ended, as the example posts it.
last_quarter() {
	local y q
	y=$(date -u +%Y)
	q=$(( ($(date -u +%-m) - 1) / 3 ))
	if [ "$q" -eq 0 ]; then echo "$((y - 1))Q4"; else echo "${y}Q$q"; fi
}

banner() {
	local bup analyst
	bup=$(token_of submitter bup_ostergotland)
	analyst=$(token_of analyst -)
	cat <<TXT

Samlad is running.
  collector   http://$COLLECTOR_LISTEN
  aggregator  http://$AGGREGATOR_LISTEN/   (sign in with the analyst token)

Tokens (demo only; also in $TOKENS):
$(awk '{ printf "  %-9s %-18s %s\n", $1, $2, $3 }' "$TOKENS")

Report as an agency without a system of its own (sign in with its token):
  form        http://$COLLECTOR_LISTEN/submit

See who has reported in Norrköping (sign in with the analyst token):
  reporting   http://$AGGREGATOR_LISTEN/reporting?area=0581

Try it (posts one count for BUP Region Östergötland, Norrköping's BUP):
  curl -H "Authorization: Bearer $bup" -H "Content-Type: application/json" --data '{"counts":[{"indicator":"bup.nya_barn","area":"0581-hageby","period":"$DEMO_PERIOD","value":12}]}' http://$COLLECTOR_LISTEN/v1/counts

Read a trend (the municipality of Norrköping, as the analyst):
  curl -H "Authorization: Bearer $analyst" "http://$AGGREGATOR_LISTEN/v1/series?indicator=bup.nya_barn&area=0581&freq=year"

Analyst token for the aggregator: $analyst
Logs: $STATE/*.log. Press Ctrl-C to stop.
TXT
}

main() {
	[ -n "${SAMLAD_NO_BUILD:-}" ] || build
	mkdir -p "$STATE"
	database
	trap stop_all INT TERM EXIT
	DATABASE_URL=$ADMIN_URL "$ADMIN" migrate >/dev/null
	DATABASE_URL=$ADMIN_URL "$ADMIN" catalogue import "$ROOT/catalogue/demo" >/dev/null
	tokens
	demo_data
	start_collector
	start_aggregator
	DEMO_PERIOD=$(last_quarter)
	banner
	wait
}

main "$@"
