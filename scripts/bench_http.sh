#!/usr/bin/env bash
# Single-row predict throughput of `eddy serve` (100-feature vectorassembler
# + logistic regression) against the peers' bare Go hello handler, both
# under the same wrk command in one run, client and server sharing the
# machine, in ROUNDS alternating rounds. Prints a markdown table with
# each round's req/s, p50/p99 latency and server CPU time per request.
#
#   bash scripts/bench_http.sh            # DURATION=10s CONNS=64 THREADS=2 ROUNDS=3
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PEERS="${PEERS:-/work/shared/peers/go}"
DUR="${DURATION:-10s}"; CONNS="${CONNS:-64}"; THREADS="${THREADS:-2}"; ROUNDS="${ROUNDS:-3}"
command -v wrk >/dev/null || { echo "wrk not found (apt-get install wrk)" >&2; exit 1; }
TMP="$(mktemp -d)"
PID=""
cleanup() {
  if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
  rm -rf "$TMP"
}
trap cleanup EXIT
# EDDY=path/to/eddy serves with a prebuilt binary (an older build, to
# compare) instead of building ./cmd/eddy.
if [ -n "${EDDY:-}" ]; then cp "$EDDY" "$TMP/eddy"; else (cd "$ROOT" && go build ${GOFLAGS_EXTRA:-} -o "$TMP/eddy" ./cmd/eddy); fi
(cd "$ROOT" && go run ${GOFLAGS_EXTRA:-} ./scripts/benchmodel -registry "file://$TMP/reg" -body "$TMP/body.json")
(cd "$PEERS" && go build -o "$TMP/hello" ./cmd/hello)
python3 - "$TMP/body.json" "$TMP/post.lua" <<'PY'
import json, sys
body = open(sys.argv[1]).read().strip()
open(sys.argv[2], "w").write('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = %s\n' % json.dumps(body))
PY
wait_up() { for _ in $(seq 1 200); do curl -sf -o /dev/null "$1" && return 0; sleep 0.05; done; echo "not up: $1" >&2; return 1; }
# cputicks PID: user+sys clock ticks the process has used
cputicks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# measure PID URL [LUA]: prints "req/s p50_ms p99_ms non2xx cpu_us_per_request",
# the last being the server's CPU time (from /proc) over the requests
# served: it depends far less on other load than req/s does.
measure() {
  local pid=$1 url=$2 lua=${3:-} script=()
  [ -n "$lua" ] && script=(-s "$lua")
  wrk -t"$THREADS" -c"$CONNS" -d2s "${script[@]}" "$url" >/dev/null
  local c0; c0=$(cputicks "$pid")
  wrk -t"$THREADS" -c"$CONNS" -d"$DUR" --latency "${script[@]}" "$url" > "$TMP/wrk.out"
  local c1; c1=$(cputicks "$pid")
  python3 - "$TMP/wrk.out" "$((c1 - c0))" "$(getconf CLK_TCK)" <<'PY'
import re, sys
t = open(sys.argv[1]).read()
ticks, hz = int(sys.argv[2]), int(sys.argv[3])
def ms(s):
    m = re.match(r"([\d.]+)(us|ms|s|m)", s)
    if m is None:
        sys.exit("cannot read a latency in wrk's output:\n" + t)
    v, u = m.groups()
    return float(v) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[u]
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", t).group(1))
p50 = ms(re.search(r"^\s+50%\s+(\S+)", t, re.M).group(1)); p99 = ms(re.search(r"^\s+99%\s+(\S+)", t, re.M).group(1))
non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", t)
n = int(re.search(r"(\d+) requests in", t).group(1))
print(rps, p50, p99, non2xx.group(1) if non2xx else 0, ticks / hz / n * 1e6)
PY
}
"$TMP/hello" -addr 127.0.0.1:18090 & HPID=$!
"$TMP/eddy" serve --registry "file://$TMP/reg" --addr 127.0.0.1:18091 2>"$TMP/serve.log" & PID=$!
trap 'kill "$HPID" 2>/dev/null || true; cleanup' EXIT
wait_up http://127.0.0.1:18090/
wait_up http://127.0.0.1:18091/readyz
curl -sf -d @"$TMP/body.json" http://127.0.0.1:18091/v1/models/lr100:predict >/dev/null
# ROUNDS alternating measurements (hello, eddy, hello, eddy...): on a
# shared machine the load drifts, and each round's ratio compares two
# measurements taken seconds apart; the median round is reported.
for r in $(seq 1 "$ROUNDS"); do
  echo "hello $(measure "$HPID" http://127.0.0.1:18090/)" >> "$TMP/rounds"
  echo "eddy $(measure "$PID" http://127.0.0.1:18091/v1/models/lr100:predict "$TMP/post.lua")" >> "$TMP/rounds"
done
kill "$HPID" 2>/dev/null || true
python3 - "$TMP/rounds" "$DUR" "$THREADS" "$CONNS" <<'PY'
import statistics, sys
lines = [l.split() for l in open(sys.argv[1])]
dur, th, c = sys.argv[2:]
H = [list(map(float, l[1:6])) for l in lines if l[0] == "hello"]
E = [list(map(float, l[1:6])) for l in lines if l[0] == "eddy"]
rounds = [(h, e, e[0] / h[0], e[2] / h[2], e[4] / h[4]) for h, e in zip(H, E)]
print(f"wrk -t{th} -c{c} -d{dur} --latency, loopback, client and servers on the same machine, {len(rounds)} alternating rounds\n")
print("| round | hello req/s | hello p50 / p99 ms | hello CPU us/req | eddy req/s | eddy p50 / p99 ms | eddy CPU us/req | req/s ratio | p99 ratio | CPU/req ratio |")
print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for i, (h, e, rr, pr, cr) in enumerate(rounds, 1):
    print(f"| {i} | {h[0]:,.0f} | {h[1]:.2f} / {h[2]:.2f} | {h[4]:.1f} | {e[0]:,.0f} | {e[1]:.2f} / {e[2]:.2f} | {e[4]:.1f} | {rr:.0%} | {pr:.2f}x | {cr:.2f}x |")
med = lambda xs: statistics.median(xs)
print(f"\nmedian req/s ratio eddy / bare: {med([r[2] for r in rounds]):.0%} (goal >= 70%)")
print(f"median p99 ratio eddy / bare: {med([r[3] for r in rounds]):.2f}x (goal <= 1.5x)")
print(f"median server CPU per request eddy / bare: {med([r[4] for r in rounds]):.2f}x")
print(f"non-2xx predict responses: {int(sum(e[3] for e in E))}")
PY
