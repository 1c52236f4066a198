#!/usr/bin/env bash
# Tree estimators vs scikit-learn, side by side in one run (issue 5):
# decision_tree_*, random_forest_* and gbt_* against DecisionTree*,
# RandomForest* and HistGradientBoosting* on every shared dataset (means
# over seeds for the random ones). Runs scripts/accuracy_trees.py (Debian's
# /usr/bin/python3, which has scikit-learn), then the Go harness
# (estimators/internal/accuracy/trees_test.go) on the same rows, and prints
# the markdown table; exits non-zero when a metric misses by more than 1%.
#   scripts/accuracy_trees.sh [--update-testdata]
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-/usr/bin/python3}
DATA=${DATASETS:-$(cd .. && pwd)/shared/datasets}
# scikit-learn's OpenMP otherwise starts a thread per host CPU on this
# 2-core machine and its fit times mean nothing.
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-2}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$PY" scripts/accuracy_trees.py "$DATA" >"$tmp/sklearn.jsonl"
if [[ "${1:-}" == "--update-testdata" ]]; then
	"$PY" scripts/accuracy_trees.py --small "$DATA" >estimators/internal/accuracy/testdata/trees_sklearn.jsonl
fi
status=0
EDDY_TREES_SKLEARN_RESULTS="$tmp/sklearn.jsonl" EDDY_TREES_TABLE="$tmp/table.md" \
	go test -count=1 -timeout 30m -run TestTreesVsSklearn ./estimators/internal/accuracy >"$tmp/go.log" 2>&1 || status=$?
if [[ -f "$tmp/table.md" ]]; then cat "$tmp/table.md"; else cat "$tmp/go.log"; fi
if [[ $status -ne 0 ]]; then grep -E "miss|FAIL|Error" "$tmp/go.log" >&2 || true; fi
exit $status
