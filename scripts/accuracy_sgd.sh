#!/usr/bin/env bash
# Accuracy table of logistic regression with the sgd solver, Eddy vs
# scikit-learn's SGDClassifier(loss="log_loss") side by side in one run
# (issue 5): scripts/accuracy_sgd.py, then the Go test TestAccuracySGD
# (estimators/internal/accuracy/sgd_test.go) on the same rows; both sides
# average 100 seeds on the small sets, 20 on the others. Prints the
# markdown table; exits non-zero on a miss.
#   scripts/accuracy_sgd.sh [--update-testdata]
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-/usr/bin/python3}
DATA=${DATASETS:-$(cd .. && pwd)/shared/datasets}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$PY" scripts/accuracy_sgd.py "$DATA" >"$tmp/sklearn.jsonl"
if [[ "${1:-}" == "--update-testdata" ]]; then
	"$PY" scripts/accuracy_sgd.py --small "$DATA" >estimators/internal/accuracy/testdata/sklearn_sgd.jsonl
fi
status=0
EDDY_SGD_SKLEARN_RESULTS="$tmp/sklearn.jsonl" EDDY_SGD_ACCURACY_TABLE="$tmp/table.md" \
	go test -count=1 -run TestAccuracySGD ./estimators/internal/accuracy >"$tmp/go.log" 2>&1 || status=$?
if [[ -f "$tmp/table.md" ]]; then cat "$tmp/table.md"; else cat "$tmp/go.log"; fi
if [[ $status -ne 0 ]]; then grep -E "miss|FAIL|Error" "$tmp/go.log" >&2 || true; fi
exit $status
