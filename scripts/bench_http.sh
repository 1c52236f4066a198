#!/usr/bin/env bash
# Single-row predict throughput of `eddy serve` (100-feature vectorassembler
# + logistic regression) against the peers' bare Go hello handler, both
# under the same wrk command in one run, client and server sharing the
# machine. Prints a markdown table.
#
#   bash scripts/bench_http.sh            # DURATION=10s CONNS=64 THREADS=2
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PEERS="${PEERS:-/work/shared/peers/go}"
DUR="${DURATION:-10s}"; CONNS="${CONNS:-64}"; THREADS="${THREADS:-2}"
command -v wrk >/dev/null || { echo "wrk not found (apt-get install wrk)" >&2; exit 1; }
TMP="$(mktemp -d)"
PID=""
cleanup() {
  if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
  rm -rf "$TMP"
}
trap cleanup EXIT
(cd "$ROOT" && go build ${GOFLAGS_EXTRA:-} -o "$TMP/eddy" ./cmd/eddy && go run ${GOFLAGS_EXTRA:-} ./scripts/benchmodel -registry "file://$TMP/reg" -body "$TMP/body.json")
(cd "$PEERS" && go build -o "$TMP/hello" ./cmd/hello)
python3 - "$TMP/body.json" "$TMP/post.lua" <<'PY'
import json, sys
body = open(sys.argv[1]).read().strip()
open(sys.argv[2], "w").write('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = %s\n' % json.dumps(body))
PY
wait_up() { for _ in $(seq 1 200); do curl -sf -o /dev/null "$1" && return 0; sleep 0.05; done; echo "not up: $1" >&2; return 1; }
# measure NAME URL [LUA]: prints "req/s p50_ms p99_ms"
measure() {
  local url=$1 lua=${2:-} script=()
  [ -n "$lua" ] && script=(-s "$lua")
  wrk -t"$THREADS" -c"$CONNS" -d2s "${script[@]}" "$url" >/dev/null
  wrk -t"$THREADS" -c"$CONNS" -d"$DUR" --latency "${script[@]}" "$url" > "$TMP/wrk.out"
  python3 - "$TMP/wrk.out" <<'PY'
import re, sys
t = open(sys.argv[1]).read()
def ms(s):
    v, u = re.match(r"([\d.]+)(us|ms|s)", s).groups()
    return float(v) * {"us": 0.001, "ms": 1, "s": 1000}[u]
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", t).group(1))
p50 = ms(re.search(r"50%\s+(\S+)", t).group(1)); p99 = ms(re.search(r"99%\s+(\S+)", t).group(1))
non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", t)
print(rps, p50, p99, non2xx.group(1) if non2xx else 0)
PY
}
"$TMP/hello" -addr 127.0.0.1:18090 & PID=$!
wait_up http://127.0.0.1:18090/
read -r H_RPS H_P50 H_P99 H_BAD < <(measure http://127.0.0.1:18090/)
kill "$PID"; wait "$PID" 2>/dev/null || true; PID=""
"$TMP/eddy" serve --registry "file://$TMP/reg" --addr 127.0.0.1:18091 2>"$TMP/serve.log" & PID=$!
wait_up http://127.0.0.1:18091/readyz
curl -sf -d @"$TMP/body.json" http://127.0.0.1:18091/v1/models/lr100:predict >/dev/null
read -r E_RPS E_P50 E_P99 E_BAD < <(measure http://127.0.0.1:18091/v1/models/lr100:predict "$TMP/post.lua")
kill "$PID"; wait "$PID" 2>/dev/null || true; PID=""
python3 - "$H_RPS" "$H_P50" "$H_P99" "$E_RPS" "$E_P50" "$E_P99" "$E_BAD" "$DUR" "$THREADS" "$CONNS" <<'PY'
import sys
h_rps, h50, h99, e_rps, e50, e99 = map(float, sys.argv[1:7]); bad, dur, th, c = sys.argv[7:]
print(f"wrk -t{th} -c{c} -d{dur} --latency, loopback, client and server on the same machine\n")
print("| server | req/s | p50 ms | p99 ms |")
print("|---|---:|---:|---:|")
print(f"| bare Go hello (GET /) | {h_rps:,.0f} | {h50:.2f} | {h99:.2f} |")
print(f"| eddy serve, single-row predict, 100-feature LR | {e_rps:,.0f} | {e50:.2f} | {e99:.2f} |")
print(f"| ratio eddy / bare | {e_rps/h_rps:.0%} (goal >= 70%) | {e50/h50:.2f}x | {e99/h99:.2f}x (goal <= 1.5x) |")
print(f"\nnon-2xx predict responses: {bad}")
PY
