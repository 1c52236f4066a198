#!/bin/sh
# Row UDF throughput: def f(row): return {"z": row["x"]*2 + row["y"]} over
# 100k rows, through Eddy's stream engine (gpython, one worker) against
# CPython 3 calling the same function in a plain loop over the same rows.
set -eu
cd "$(dirname "$0")/.."
eddy=$(go test -run '^$' -bench 'BenchmarkRowUDFStream$' -benchtime 5x ./transformers/pyudf/ |
	awk '/BenchmarkRowUDFStream/ { for (i = 1; i <= NF; i++) if ($(i+1) == "rows/s") print $i }')
cpython=$(/usr/bin/python3 - <<'PY'
import time
def f(row):
    return {"z": row["x"] * 2 + row["y"]}
n = 100000
xs = [(i * 0.5, float(i % 7)) for i in range(n)]
best = 0.0
for _ in range(5):
    t = time.perf_counter()
    out = [f({"x": x, "y": y})["z"] for x, y in xs]
    best = max(best, n / (time.perf_counter() - t))
print(int(best))
PY
)
echo "eddy stream (gpython, 1 worker): ${eddy} rows/s"
echo "cpython3 plain loop:             ${cpython} rows/s"
awk -v e="$eddy" -v c="$cpython" 'BEGIN { printf "ratio cpython/eddy:              %.2fx\n", c / e }'
