#!/usr/bin/env bash
# Accuracy table of the misc estimators (naive Bayes, k-means...), Eddy vs
# scikit-learn side by side in one run (issue 5): scripts/accuracy_misc.py
# (Debian's /usr/bin/python3) on every shared dataset, then the Go test
# TestAccuracyMisc (estimators/internal/accuracy/misc_test.go) on the same
# rows; prints the markdown table and exits non-zero on a miss.
#   scripts/accuracy_misc.sh [--update-testdata]
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-/usr/bin/python3}
DATA=${DATASETS:-$(cd .. && pwd)/shared/datasets}
PEERS=${PEERS:-$(cd .. && pwd)/shared/peers}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$PY" scripts/accuracy_misc.py "$DATA" "$PEERS" >"$tmp/sklearn.jsonl"
if [[ "${1:-}" == "--update-testdata" ]]; then
	"$PY" scripts/accuracy_misc.py --small "$DATA" "$PEERS" >estimators/internal/accuracy/testdata/sklearn_misc.jsonl
fi
status=0
EDDY_MISC_SKLEARN_RESULTS="$tmp/sklearn.jsonl" EDDY_MISC_ACCURACY_TABLE="$tmp/table.md" \
	go test -count=1 -run TestAccuracyMisc ./estimators/internal/accuracy >"$tmp/go.log" 2>&1 || status=$?
if [[ -f "$tmp/table.md" ]]; then cat "$tmp/table.md"; else cat "$tmp/go.log"; fi
if [[ $status -ne 0 ]]; then grep -E "miss|FAIL|Error" "$tmp/go.log" >&2 || true; fi
exit $status
