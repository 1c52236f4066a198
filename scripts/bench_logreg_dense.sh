#!/usr/bin/env bash
# Logistic regression fit time, Eddy vs scikit-learn lbfgs, in one run, on
# the first ROWS (default 200000) x 50 rows of the peers' dense data.
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${ROWS:-200000}
PEERS=${PEERS:-$(cd .. && pwd)/shared/peers}
sk=$(/usr/bin/python3 scripts/bench_logreg_dense.py "$PEERS" "$ROWS")
go_out=$(EDDY_DENSE_ROWS=$ROWS go test -run '^$' -bench BenchmarkFitDense -benchtime 3x ./estimators/logreg | grep BenchmarkFitDense)
echo "sklearn: $sk"
echo "eddy:    $go_out"
sk_s=$(echo "$sk" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["fit_s"])')
go_ns=$(echo "$go_out" | awk '{print $3}')
/usr/bin/python3 -c "print(f'eddy fit {$go_ns/1e9:.3f} s, sklearn {$sk_s:.3f} s, ratio eddy/sklearn {($go_ns/1e9)/$sk_s:.2f}')"
