#!/usr/bin/env bash
# Accuracy table of the estimator variants (multinomial naive Bayes; ridge,
# lasso, elastic net; logistic regression with L1 / elastic-net penalties,
# class weights and sample weights), Eddy vs scikit-learn side by side in
# one run (issue 5): scripts/accuracy_variants.py (Debian's
# /usr/bin/python3) on every shared dataset, then the Go test
# TestAccuracyVariants (estimators/internal/accuracy/variants_test.go) on
# the same rows; prints the markdown table and exits non-zero on a miss.
#   scripts/accuracy_variants.sh [--update-testdata]
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-/usr/bin/python3}
DATA=${DATASETS:-$(cd .. && pwd)/shared/datasets}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$PY" scripts/accuracy_variants.py "$DATA" >"$tmp/sklearn.jsonl"
if [[ "${1:-}" == "--update-testdata" ]]; then
	"$PY" scripts/accuracy_variants.py --small "$DATA" >estimators/internal/accuracy/testdata/sklearn_variants.jsonl
fi
status=0
EDDY_VARIANTS_SKLEARN_RESULTS="$tmp/sklearn.jsonl" EDDY_VARIANTS_ACCURACY_TABLE="$tmp/table.md" \
	go test -count=1 -run TestAccuracyVariants ./estimators/internal/accuracy >"$tmp/go.log" 2>&1 || status=$?
if [[ -f "$tmp/table.md" ]]; then cat "$tmp/table.md"; else cat "$tmp/go.log"; fi
if [[ $status -ne 0 ]]; then grep -E "miss|FAIL|Error" "$tmp/go.log" >&2 || true; fi
exit $status
