#!/usr/bin/env bash
# Logistic regression with solver sgd vs scikit-learn's
# SGDClassifier(loss="log_loss") fit time, in one run, on the first ROWS
# (default 1000000) x 50 rows of the peers' dense data. Both: alpha 1e-4
# (Eddy reg_param 1e-4*ROWS), max_iter 1000, tol 1e-3, 5 epochs without
# improvement; best of 3 fits each.
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${ROWS:-1000000}
PEERS=${PEERS:-$(cd .. && pwd)/shared/peers}
sk=$(/usr/bin/python3 scripts/bench_logreg_sgd.py "$PEERS" "$ROWS")
go_out=$(EDDY_DENSE_ROWS=$ROWS go test -run '^$' -bench 'BenchmarkFitDenseSGD$' -benchtime 3x ./estimators/logreg | grep BenchmarkFitDenseSGD)
echo "sklearn: $sk"
echo "eddy:    $go_out"
sk_s=$(echo "$sk" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["fit_s"])')
go_ns=$(echo "$go_out" | awk '{print $3}')
/usr/bin/python3 -c "print(f'eddy fit {$go_ns/1e9:.3f} s, sklearn {$sk_s:.3f} s, ratio eddy/sklearn {($go_ns/1e9)/$sk_s:.2f}')"
