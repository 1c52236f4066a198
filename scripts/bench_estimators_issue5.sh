#!/usr/bin/env bash
# Issue 5's speed "Done when": fit time of Eddy against scikit-learn in one
# run, side by side and alternating (see scripts/bench_estimators_issue5.py
# for the cases, data and matching settings): logistic regression L-BFGS
# and KMeans k=10 (n_init 1 and 10) on 1,000,000 x 50 rows, histogram GBT
# and random forest (2 jobs, 1 job) on adult. Best of REPS (default 3)
# wall seconds, CPU seconds, ratios, iterations, loss and load average.
#   scripts/bench_estimators_issue5.sh [CASE...]   (default: all cases)
#   REPS=5 scripts/bench_estimators_issue5.sh gbt rf rf1
set -euo pipefail
cd "$(dirname "$0")/.."
REPS=${REPS:-3}
PEERS=${PEERS:-$(cd .. && pwd)/shared/peers}
ADULT=${ADULT:-$(cd .. && pwd)/shared/datasets/adult_train.csv.gz}
PY=${PYTHON:-/usr/bin/python3}
cases=("$@")
[[ ${#cases[@]} -gt 0 ]] || cases=(logreg kmeans kmeans10 gbt gbt1 rf rf1)
bin=$(mktemp -d)/benchest
trap 'rm -rf "$(dirname "$bin")"' EXIT
go build -o "$bin" ./scripts/benchest
echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, go $(go env GOVERSION), load $(cut -d' ' -f1-3 /proc/loadavg)"
"$PY" scripts/bench_estimators_issue5.py "$bin" "$PEERS" "$ADULT" "$REPS" "${cases[@]}"
