#!/usr/bin/env bash
# Single-row predict throughput of `eddy serve` (100-feature vectorassembler
# + logistic regression) against the peers' bare Go hello handler (sent
# both a bodiless GET and eddy's own POST) and the peers' minimal JSON
# scoring server, in one run, client and servers sharing the machine, in
# ROUNDS alternating rounds. Prints a markdown table with each round's
# req/s, p50/p99 latency and server CPU time per request, and the median
# ratios against the goals.
#
#   bash scripts/bench_http.sh            # DURATION=10s CONNS=64 THREADS=2 ROUNDS=5
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PEERS="${PEERS:-$ROOT/../shared/peers/go}"
DUR="${DURATION:-10s}"; CONNS="${CONNS:-64}"; THREADS="${THREADS:-2}"; ROUNDS="${ROUNDS:-5}"
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
(cd "$PEERS" && go build -o "$TMP/hello" ./cmd/hello && go build -o "$TMP/score" ./cmd/score)
"$TMP/score" -print-body dense > "$TMP/score.json"
for pair in "body.json post.lua" "score.json score.lua"; do
  set -- $pair
  python3 - "$TMP/$1" "$TMP/$2" <<'PY'
import json, sys
body = open(sys.argv[1]).read().strip()
open(sys.argv[2], "w").write('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = %s\n' % json.dumps(body))
PY
done
wait_up() { for _ in $(seq 1 200); do curl -sf -o /dev/null "$@" && return 0; sleep 0.05; done; echo "not up: $1" >&2; return 1; }
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
"$TMP/score" -addr 127.0.0.1:18092 & SPID=$!
"$TMP/eddy" serve --registry "file://$TMP/reg" --addr 127.0.0.1:18091 2>"$TMP/serve.log" & PID=$!
trap 'kill "$HPID" "$SPID" 2>/dev/null || true; cleanup' EXIT
wait_up http://127.0.0.1:18090/
wait_up http://127.0.0.1:18092/score -d @"$TMP/score.json"
wait_up http://127.0.0.1:18091/readyz
curl -sf -d @"$TMP/body.json" http://127.0.0.1:18091/v1/models/lr100:predict >/dev/null
# ROUNDS alternating measurements: on a shared machine the load drifts,
# and each round's ratios compare measurements taken seconds apart; the
# median round is reported. Each round measures
#   bare_get  the peers' bare handler, GET / (bodiless, as peers/bench_http.sh)
#   bare_post the same bare handler under the very wrk command eddy gets
#             (POST of the same 2.2 KB JSON body, ignored): the reference
#             for the goals, as it differs from eddy only in the handler
#   score     the peers' minimal JSON scoring server (encoding/json, dot
#             product + sigmoid over 100 features), for context
#   eddy      eddy serve, 100-feature vector assembler + logistic regression
for r in $(seq 1 "$ROUNDS"); do
  echo "bare_get $(measure "$HPID" http://127.0.0.1:18090/)" >> "$TMP/rounds"
  echo "bare_post $(measure "$HPID" http://127.0.0.1:18090/ "$TMP/post.lua")" >> "$TMP/rounds"
  echo "score $(measure "$SPID" http://127.0.0.1:18092/score "$TMP/score.lua")" >> "$TMP/rounds"
  echo "eddy $(measure "$PID" http://127.0.0.1:18091/v1/models/lr100:predict "$TMP/post.lua")" >> "$TMP/rounds"
done
kill "$HPID" "$SPID" 2>/dev/null || true
python3 - "$TMP/rounds" "$DUR" "$THREADS" "$CONNS" <<'PY'
import statistics, sys
lines = [l.split() for l in open(sys.argv[1])]
dur, th, c = sys.argv[2:]
names = ["bare_get", "bare_post", "score", "eddy"]
M = {n: [list(map(float, l[1:6])) for l in lines if l[0] == n] for n in names}
nr = len(M["eddy"])
print(f"wrk -t{th} -c{c} -d{dur} --latency, loopback, client and servers on the same machine, {nr} alternating rounds\n")
print("| round | server | req/s | p50 / p99 ms | CPU us/req | req/s vs bare_post | p99 vs bare_post | CPU/req vs bare_post |")
print("|---:|---|---:|---:|---:|---:|---:|---:|")
for i in range(nr):
    b = M["bare_post"][i]
    for n in names:
        m = M[n][i]
        print(f"| {i+1} | {n} | {m[0]:,.0f} | {m[1]:.2f} / {m[2]:.2f} | {m[4]:.1f} | {m[0]/b[0]:.0%} | {m[2]/b[2]:.2f}x | {m[4]/b[4]:.2f}x |")
med = statistics.median
for ref in ("bare_post", "bare_get"):
    rr = [e[0] / h[0] for h, e in zip(M[ref], M["eddy"])]
    pr = [e[2] / h[2] for h, e in zip(M[ref], M["eddy"])]
    cr = [e[4] / h[4] for h, e in zip(M[ref], M["eddy"])]
    print(f"\neddy / {ref}, median of the rounds: req/s {med(rr):.0%} (goal >= 70%), p99 {med(pr):.2f}x (goal <= 1.5x), CPU per request {med(cr):.2f}x")
    print(f"  per round: req/s {', '.join(f'{x:.0%}' for x in rr)}; p99 {', '.join(f'{x:.2f}' for x in pr)}")
sr = [e[0] / s[0] for s, e in zip(M["score"], M["eddy"])]
sp = [e[2] / s[2] for s, e in zip(M["score"], M["eddy"])]
print(f"\neddy / peers' minimal JSON scoring server, median: req/s {med(sr):.2f}x, p99 {med(sp):.2f}x")
print(f"non-2xx responses: " + ", ".join(f"{n} {int(sum(m[3] for m in M[n]))}" for n in names))
PY
