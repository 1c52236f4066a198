#!/usr/bin/env bash
# GBT fit speed, Eddy's gbt_classifier vs scikit-learn's
# HistGradientBoostingClassifier, on the same generated 100,000 x 20 rows
# (100 iterations, 31 leaves, early stopping off).
# Prints both times and the ratio Eddy / scikit-learn.
#   scripts/bench_gbt_vs_sklearn.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-/usr/bin/python3}
# OpenMP's spinning barriers collapse on a loaded 2-core machine: time
# scikit-learn on 1 and on 2 threads and keep the faster.
sk1=$(OMP_NUM_THREADS=1 "$PY" scripts/bench_gbt_vs_sklearn.py 100000 20 3)
sk2=$(OMP_NUM_THREADS=2 "$PY" scripts/bench_gbt_vs_sklearn.py 100000 20 3)
sk=$(awk -v a="$sk1" -v b="$sk2" 'BEGIN {print (a < b) ? a : b}')
echo "scikit-learn: ${sk1}s on 1 thread, ${sk2}s on 2 threads"
ns=$(go test -run '^$' -bench '^BenchmarkFitClassifier$' -benchtime 3x -count 1 ./estimators/gbt |
	awk '/^BenchmarkFitClassifier/ {print $3}')
eddy=$(awk -v ns="$ns" 'BEGIN {printf "%.3f", ns / 1e9}')
echo "gbt fit 100000x20, 100 iterations: Eddy ${eddy}s, scikit-learn ${sk}s, ratio $(awk -v a="$eddy" -v b="$sk" 'BEGIN {printf "%.2f", a / b}')"
