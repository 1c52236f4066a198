#!/usr/bin/env bash
# Accuracy table, Eddy vs scikit-learn, side by side in one run (issue 5).
# Runs scripts/accuracy_vs_sklearn.py (Debian's /usr/bin/python3, which has
# scikit-learn) on every shared dataset, then the Go harness
# (estimators/internal/accuracy) on the same rows, and prints the markdown
# table; exits non-zero when a metric misses scikit-learn by more than 1%.
#   scripts/accuracy_vs_sklearn.sh [--update-testdata]
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-/usr/bin/python3}
DATA=${DATASETS:-$(cd .. && pwd)/shared/datasets}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$PY" scripts/accuracy_vs_sklearn.py "$DATA" >"$tmp/sklearn.jsonl"
if [[ "${1:-}" == "--update-testdata" ]]; then
	"$PY" scripts/accuracy_vs_sklearn.py --small "$DATA" >estimators/internal/accuracy/testdata/sklearn.jsonl
fi
status=0
EDDY_SKLEARN_RESULTS="$tmp/sklearn.jsonl" EDDY_ACCURACY_TABLE="$tmp/table.md" \
	go test -count=1 -run TestAccuracyVsSklearn ./estimators/internal/accuracy >"$tmp/go.log" 2>&1 || status=$?
if [[ -f "$tmp/table.md" ]]; then cat "$tmp/table.md"; else cat "$tmp/go.log"; fi
if [[ $status -ne 0 ]]; then grep -E "miss|FAIL|Error" "$tmp/go.log" >&2 || true; fi
exit $status
