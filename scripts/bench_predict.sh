#!/usr/bin/env bash
# Server time of one predict request of the 100-feature vectorassembler +
# logistic regression pipeline (the serving/httpapi Go benchmarks: decode,
# score, encode, through the HTTP handler without a socket), as the best
# wall time of COUNT runs and as process CPU time per request (user+sys of
# N requests minus a 1-request run, so it includes the garbage collector's
# work on the other core and is less sensitive to other load than wall
# time). Prints a markdown table.
#
#   bash scripts/bench_predict.sh          # COUNT=5
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
COUNT="${COUNT:-5}"
command -v /usr/bin/time >/dev/null || { echo "/usr/bin/time not found (apt-get install time)" >&2; exit 1; }
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
# HTTPAPI_TEST=path runs a prebuilt test binary (an older build, to
# compare) instead of building the package's.
if [ -n "${HTTPAPI_TEST:-}" ]; then cp "$HTTPAPI_TEST" "$TMP/httpapi.test"; else (cd "$ROOT" && go test -c -o "$TMP/httpapi.test" ./serving/httpapi/); fi
cd "$ROOT/serving/httpapi"
cpu() { # cpu NAME N: user+sys seconds of a run of N requests
  { /usr/bin/time -f "%U %S" "$TMP/httpapi.test" -test.run '^$' -test.bench "^Benchmark$1\$" -test.benchtime "$2x" >/dev/null; } 2>&1 |
    tail -1 | awk '{print $1 + $2}'
}
echo "| request | best wall time of $COUNT | CPU time per request |"
echo "|---|---:|---:|"
for spec in "Predict1Row:1 row, JSON:5000" "Predict1000Rows:1,000 rows, JSON:300" \
            "Predict1000RowsOIP:1,000 rows, OIP v2 JSON tensors:200" "Predict1000RowsArrow:1,000 rows, Arrow IPC stream:600"; do
  IFS=: read -r name what n <<<"$spec"
  best=$("$TMP/httpapi.test" -test.run '^$' -test.bench "^Benchmark$name\$" -test.count "$COUNT" |
    awk '/ns\/op/ {print $3}' | sort -n | head -1)
  c1=$(cpu "$name" 1); cn=$(cpu "$name" "$n")
  python3 -c "import sys; b, c1, cn, n = map(float, sys.argv[1:]); print(f'| $what | {b/1e3:,.1f} us | {max(cn-c1, 0)/n*1e6:,.1f} us |')" "$best" "$c1" "$cn" "$n"
done
