#!/usr/bin/env bash
# bench_csv.sh compares connectors/csv with pandas.read_csv on a synthetic
# 1,000,000-row x 20-column float64 CSV (about 205 MB). It generates the file
# once (kept in $BENCH_DIR, default ${TMPDIR:-/tmp}), times each reader best
# of 3, and prints a markdown table row.
set -euo pipefail
cd "$(dirname "$0")/.."

dir="${BENCH_DIR:-${TMPDIR:-/tmp}}"
file="$dir/eddy_bench_1mx20.csv"
bin="$(mktemp -d)"
trap 'rm -rf "$bin"' EXIT

go build -o "$bin/gencsv" ./connectors/csv/internal/gencsv
go build -o "$bin/benchread" ./connectors/csv/internal/benchread
if [ ! -s "$file" ]; then
	"$bin/gencsv" -rows 1000000 -cols 20 -seed 1 -o "$file.tmp"
	mv "$file.tmp" "$file"
fi

pandas_s=$(/usr/bin/python3 - "$file" <<'PY'
import sys, time
import pandas
best = None
for _ in range(3):
    t = time.perf_counter()
    df = pandas.read_csv(sys.argv[1])
    d = time.perf_counter() - t
    best = d if best is None else min(best, d)
assert len(df) == 1000000, len(df)
print(f"{best:.4f}")
PY
)
read -r rows eddy_s < <("$bin/benchread" -n 3 "$file")
[ "$rows" = 1000000 ] || { echo "eddy read $rows rows" >&2; exit 1; }
pandas_ver=$(/usr/bin/python3 -c 'import pandas; print(pandas.__version__)')
ratio=$(awk -v p="$pandas_s" -v e="$eddy_s" 'BEGIN { printf "%.2f", p / e }')
echo "| file | pandas $pandas_ver read_csv (s) | eddy connectors/csv (s) | speed vs pandas |"
echo "|---|---:|---:|---:|"
echo "| 1M x 20 float64 ($(du -m "$file" | cut -f1) MB, $(nproc) cores) | $pandas_s | $eddy_s | ${ratio}x |"
