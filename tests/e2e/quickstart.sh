#!/usr/bin/env bash
# End to end, as a newcomer sees it: scripts/run.sh starts everything with
# demo data, prints the URLs of the form and the reporting page and a token
# per reporting agency (regional BUP and BVC), the curl command it prints
# works as printed, Ctrl-C stops it cleanly, and a second run reuses the
# cluster and prints the same tokens.
# Speaks TAP.
set -uo pipefail

SRC=${SAMLAD_SOURCE_DIR:?}
n=0 failed=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi; }
is() { n=$((n + 1)); if [ "$1" = "$2" ]; then echo "ok $n - $3"; else echo "not ok $n - $3"; echo "#   got: $1"; echo "#  want: $2"; failed=$((failed + 1)); fi; }

if [ -z "${SAMLAD_TEST_PGHOST:-}" ]; then echo "1..0 # SKIP run through scripts/test.sh"; exit 0; fi

STATE=$(mktemp -d /tmp/samlad-e2e.XXXXXX)
chmod 755 "$STATE"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
CPORT=$(free_port)
APORT=$(free_port)
OUT=$STATE/run.out
RUN_PID=

start_run() {
	# setsid: a process group of its own, so Ctrl-C can be sent to it as a terminal would.
	env -u DATABASE_URL SAMLAD_NO_BUILD=1 SAMLAD_STATE_DIR="$STATE/state" \
		SAMLAD_BUILD="$SAMLAD_BUILD_DIR" \
		SAMLAD_COLLECTOR_LISTEN=127.0.0.1:$CPORT SAMLAD_AGGREGATOR_LISTEN=127.0.0.1:$APORT \
		setsid bash "$SRC/scripts/run.sh" >"$1" 2>"$1.err" &
	RUN_PID=$!
	for _ in $(seq 1 1200); do
		grep -q "Samlad is running" "$1" 2>/dev/null && return 0
		kill -0 "$RUN_PID" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

interrupt_run() {
	kill -INT -- "-$RUN_PID" 2>/dev/null
	for _ in $(seq 1 300); do
		kill -0 "$RUN_PID" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -KILL -- "-$RUN_PID" 2>/dev/null
	return 1
}

cleanup() {
	[ -n "$RUN_PID" ] && kill -KILL -- "-$RUN_PID" 2>/dev/null
	bash "$SRC/scripts/pg.sh" stop "$STATE/state/pg" 2>/dev/null
	rm -rf "$STATE"
}
trap cleanup EXIT

start_run "$OUT"
ok $? "run.sh starts and prints that Samlad is running"
grep -q "collector   http://127.0.0.1:$CPORT" "$OUT"
ok $? "it prints the collector's URL"
# The reporting page as the analyst sees it, before the example below posts
# anything: the latest quarter due (its end plus the 30 days of grace has
# passed) has exactly one agency missing and some late, and the current
# quarter is not due for anyone.
analyst=$(awk '$1 == "Analyst" { print $NF }' "$OUT")
read -r latest_due current < <(python3 -c '
import datetime as d
t = d.datetime.now(d.timezone.utc).date()
q = lambda y, n: f"{y}Q{n}"
def end(y, n): return d.date(y + (n == 4), 1 if n == 4 else 3 * n + 1, 1)
y, n = t.year, (t.month - 1) // 3 + 1
cur = q(y, n)
while True:
    y, n = (y - 1, 4) if n == 1 else (y, n - 1)
    if end(y, n) + d.timedelta(days=30) < t: break
print(q(y, n), cur)')
page=$(curl -sS -H "Authorization: Bearer $analyst" "http://127.0.0.1:$APORT/reporting?area=0581&from=$latest_due&to=$current")
cells=$(python3 "$SRC/tests/e2e/reporting_cells.py" "$latest_due" "$current" <<<"$page")
sed "s/^/# /" <<<"$cells"
due_cells=$(grep "^$latest_due " <<<"$cells")
is "$(grep -o 'missing:saknas' <<<"$due_cells" | wc -l)" "1" "the reporting page shows exactly one agency missing (saknas) in $latest_due"
ok $([ "$(grep -o 'late:sen' <<<"$due_cells" | wc -l)" -ge 1 ]; echo $?) "and at least one late (sen)"
ok $([ "$(grep -o 'complete:komplett' <<<"$due_cells" | wc -l)" -gt "$(grep -oE 'late:sen|missing:saknas' <<<"$due_cells" | wc -l)" ]; echo $?) \
	"and more complete on time (komplett) than late and missing"
is "$(grep "^$current " <<<"$cells" | tr ',' '\n' | sed 's/^[0-9Q]* //' | sort -u)" "not_due:ej förfallen" \
	"the current quarter, $current, is not due for any agency (ej förfallen)"
curl_line=$(grep -m1 '^  curl ' "$OUT")
ok $([ -n "$curl_line" ]; echo $?) "it prints an example curl command"
reply=$(bash -c "$curl_line -sS -w '\n%{http_code}'" 2>&1)
is "$(tail -n 1 <<<"$reply")" "201" "the printed curl command works as printed (201)"
receipt=$(head -n 1 <<<"$reply")
is "$(python3 -c 'import json,sys; r=json.loads(sys.argv[1]); print(r["rows"], sorted(r))' "$receipt")" \
	"1 ['created', 'received_at', 'rows', 'sha256', 'submission', 'unchanged', 'updated']" \
	"its answer is a receipt for one row"
tokens1=$(grep -E '^  (submitter|analyst|admin) ' "$OUT")
ok $([ "$(grep -c '^  submitter ' <<<"$tokens1")" -ge 10 ]; echo $?) "it prints a submitter token per demo agency"
demo_rows=$(bash "$SRC/scripts/pg.sh" psql "$STATE/state/pg" -d samlad -tAc "SELECT count(*) FROM count_current")
ok $([ "$demo_rows" -gt 5000 ]; echo $?) "demo data was loaded ($demo_rows current values)"
is "$(bash "$SRC/scripts/pg.sh" psql "$STATE/state/pg" -d samlad -tAc \
	"SELECT count(*) FROM submission WHERE received_at > date_trunc('day', now(), 'UTC')")" "1" \
	"the demo's reports arrived in the past; only the example's post is today's"
grep -q "aggregator  http://127.0.0.1:$APORT/" "$OUT"
ok $? "it prints the aggregator's URL"
grep -q "^  form        http://127.0.0.1:$CPORT/submit\$" "$OUT"
ok $? "it prints the form's URL (the collector's /submit)"
grep -q "^  reporting   http://127.0.0.1:$APORT/reporting?area=0581\$" "$OUT"
ok $? "it prints the reporting page's URL for Norrköping"
is "$(grep -oE '^  submitter (bup|bvc)[a-z_]*' <<<"$tokens1" | awk '{ print $2 }' | tr '\n' ' ')" \
	"bup_ostergotland bup_stockholm bvc_ostergotland bvc_stockholm " \
	"BUP and BVC get a token per region, and the kinds of service none"
read_line=$(grep -m1 '^  curl .*/v1/series' "$OUT")
reply=$(bash -c "$read_line -sS -w '\n%{http_code}'" 2>&1)
is "$(tail -n 1 <<<"$reply")" "200" "the printed aggregator command works as printed (200)"
# A flow's year is the sum of its quarters over every district, or missing
# when any district lacks a quarter; the demo's counts here are far above k.
want_2020=$(bash "$SRC/scripts/pg.sh" psql "$STATE/state/pg" -d samlad -tAc \
	"SELECT CASE WHEN count(*) = 20 THEN sum(c.value)::text ELSE 'missing' END
	   FROM count_current c JOIN indicator i ON i.id = c.indicator_id
	   JOIN area a ON a.id = c.area_id JOIN area m ON m.id = a.parent_id
	  WHERE i.code = 'bup.nya_barn' AND m.code = '0581' AND c.period BETWEEN 20201 AND 20204")
got_2020=$(python3 -c 'import json,sys
r = json.loads(sys.argv[1])
p = [p for p in r["points"] if p["period"] == "2020"][0]
print(p["value"] if p["status"] == "published" else p["status"])' "$(head -n 1 <<<"$reply")")
echo "# Norrköping bup.nya_barn 2020: $got_2020"
is "$got_2020" "$want_2020" "the aggregator's 2020 value for Norrköping is the sum of its districts' quarters"
first_q=$(bash "$SRC/scripts/pg.sh" psql "$STATE/state/pg" -d samlad -tAc "SELECT min(period) FROM count_history")
is "$first_q" "20191" "demo data starts in 2019Q1"

interrupt_run
ok $? "Ctrl-C stops run.sh"
curl -s "http://127.0.0.1:$CPORT/healthz" >/dev/null 2>&1
ok $([ $? -ne 0 ]; echo $?) "the collector is gone after Ctrl-C"
bash "$SRC/scripts/pg.sh" psql "$STATE/state/pg" -d postgres -c 'SELECT 1' >/dev/null 2>&1
ok $([ $? -ne 0 ]; echo $?) "the embedded PostgreSQL is stopped after Ctrl-C"

start_run "$OUT.2"
ok $? "a second run starts again on the same cluster"
is "$(grep -E '^  (submitter|analyst|admin) ' "$OUT.2")" "$tokens1" "the second run prints the same tokens"
rows2=$(bash "$SRC/scripts/pg.sh" psql "$STATE/state/pg" -d samlad -tAc "SELECT count(*) FROM count_current")
is "$rows2" "$demo_rows" "the second run keeps the data and adds no duplicates"
interrupt_run
ok $? "Ctrl-C stops the second run"

echo "1..$n"
[ "$failed" -eq 0 ]
