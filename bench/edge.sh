#!/usr/bin/env bash
# The edge benchmark (issue 8, "Hardened at the edge"): figures, not a test.
#  1. The collector's memory over BENCH_REQUESTS requests (default
#     1,000,000) on kept-alive connections, half GET /healthz and half
#     GET /v1/counts with a token (wrk): its RSS after every tenth, so a
#     leak per request shows as a slope.
#  2. The slow-header attack of issue 8 at full size: BENCH_ATTACKERS
#     connections (default 512, from 16 loopback addresses, 32 each, the
#     --client-connection-limit) that send one header line a second and never
#     finish their head, while another address asks /healthz 20 times a
#     second: how many of its probes were answered and how fast, and how
#     many attacking connections the head deadline closed.
# Prints the figures and writes them as JSON to bench/out/edge-<UTC time>.json.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"
COLLECTOR=$BUILD/collector/samlad-collector
REQUESTS=${BENCH_REQUESTS:-1000000}
ATTACKERS=${BENCH_ATTACKERS:-512}
command -v wrk >/dev/null || die "wrk is missing: scripts/deps.sh test installs it"

bench_build "$ADMIN" "$COLLECTOR"
bench_cluster fast
DATABASE_URL=$ADMIN_URL "$ADMIN" catalogue import "$ROOT/catalogue/demo" >/dev/null
TOKEN=$(DATABASE_URL=$ADMIN_URL "$ADMIN" token create --role submitter --agency bup | tail -n 1)
COLLECTOR_URL=$("$PG" url "$TMP/pg" samlad_collector samlad)
bench_start collector "$COLLECTOR_URL" "$COLLECTOR" --log-level warn

# ---- 1. memory over a million requests ---------------------------------------
cat >"$TMP/mix.lua" <<LUA
local n = 0
request = function()
  n = n + 1
  if n % 2 == 0 then return wrk.format("GET", "/healthz") end
  return wrk.format("GET", "/v1/counts?period=2024Q3", { ["Authorization"] = "Bearer $TOKEN" })
end
LUA
samples=("$(bench_rss_now)")
done_requests=0
while [ "$done_requests" -lt "$REQUESTS" ]; do
	out=$(wrk -t 2 -c 16 -d 5s -s "$TMP/mix.lua" "http://$LISTEN" 2>&1)
	n=$(echo "$out" | awk '/requests in/ { print $1 }')
	bad=$(echo "$out" | awk '/Non-2xx/ { print $NF }')
	[ -z "$bad" ] || die "wrk saw $bad answers that were not 2xx"
	done_requests=$((done_requests + n))
	samples+=("$(bench_rss_now)")
	say "$done_requests requests, collector RSS $(bench_rss_now) KiB"
done
first=${samples[1]}
last=${samples[-1]}
min=$(printf '%s\n' "${samples[@]:1}" | sort -n | head -1)
max=$(printf '%s\n' "${samples[@]:1}" | sort -n | tail -1)

# ---- 2. the slow-header attack ---------------------------------------------
attack=$(python3 - "$LISTEN" "$ATTACKERS" <<'PY'
import json, socket, sys, time, urllib.request
host, port = sys.argv[1].split(":")
n = int(sys.argv[2])
conns = []
for i in range(n):
    s = socket.socket()
    s.bind((f"127.0.1.{1 + i // 32}", 0))
    try:
        s.connect((host, int(port)))
        s.sendall(b"GET /healthz HTTP/1.1\r\n")
        s.setblocking(False)
        conns.append(s)
    except OSError:
        s.close()
probes, answered, latencies = 0, 0, []
start = time.time()
last_line = 0.0
while time.time() - start < 15:
    now = time.time()
    if now - last_line >= 1:
        last_line = now
        for s in conns:
            try:
                s.send(b"X-Slow: 1\r\n")
            except OSError:
                pass
    probes += 1
    t0 = time.time()
    try:
        with urllib.request.urlopen(f"http://{host}:{port}/healthz", timeout=2) as r:
            answered += r.status == 200
            latencies.append((time.time() - t0) * 1000)
    except OSError:
        pass
    time.sleep(0.05)
closed = 0
for s in conns:
    try:
        closed += s.recv(1) == b""
    except BlockingIOError:
        pass
    except OSError:
        closed += 1
    s.close()
latencies.sort()
pick = lambda q: round(latencies[int(q * (len(latencies) - 1))], 1) if latencies else None
print(json.dumps({"attackers": n, "connected": len(conns), "closed_by_deadline": closed,
                  "probes": probes, "answered": answered, "p50_ms": pick(0.5),
                  "p99_ms": pick(0.99)}))
PY
)
bench_stop

mkdir -p "$OUT"
printf '{"time": "%s", "requests": %s, "rss_kib": [%s], "attack": %s}\n' "$STAMP" \
	"$done_requests" "$(IFS=,; echo "${samples[*]}")" "$attack" >"$OUT/edge-$STAMP.json"
printf '\n%-40s %s\n' "requests (kept alive, 16 connections)" "$done_requests"
printf '%-40s %s KiB at start, %s after the first 5 s, %s at the end (min %s, max %s)\n' \
	"collector RSS" "${samples[0]}" "$first" "$last" "$min" "$max"
python3 - "$attack" <<'PY'
import json, sys
a = json.loads(sys.argv[1])
print("%-40s %d of %d connections opened; %d closed by the head deadline within 15 s"
      % ("slow-header attack", a["connected"], a["attackers"], a["closed_by_deadline"]))
print("%-40s %d of %d answered, p50 %s ms, p99 %s ms"
      % ("probes during the attack", a["answered"], a["probes"], a["p50_ms"], a["p99_ms"]))
PY
say "figures in $OUT/edge-$STAMP.json"
