#!/usr/bin/env bash
# Feature pipeline fit+transform: Eddy (string_indexer + one_hot_encoder +
# vector_assembler + standard_scaler) against scikit-learn's
# ColumnTransformer(StandardScaler, OneHotEncoder) on the peers' mixed
# 200k-row table, in one run. Both sides fit on all rows and transform
# all rows once (Eddy: Pipeline.FitTransform; scikit-learn: fit_transform).
# Prints a markdown table row with the ratio.
#
#   scripts/bench_pipeline.sh [REPS]
set -euo pipefail
cd "$(dirname "$0")/.."
reps="${1:-3}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
csv="$tmp/mixed_200k.csv.gz"

sk_json="$(/usr/bin/python3 scripts/bench_pipeline_sklearn.py "$csv" "$reps")"
sk_s="$(/usr/bin/python3 -c 'import json,sys; print(json.loads(sys.argv[1])["fit_transform_s"])' "$sk_json")"

go_out="$(EDDY_BENCH_CSV="$csv" go test -run='^$' -bench="BenchmarkMixedFitTransform\$" -benchtime="${reps}x" \
	./transformers/internal/pipelinetest/)"
ns="$(printf '%s\n' "$go_out" | awk '/^BenchmarkMixedFitTransform/ {print $3; exit}')"
if [ -z "$ns" ]; then
	printf '%s\n' "$go_out" >&2
	echo "bench_pipeline: no Go benchmark result" >&2
	exit 1
fi
eddy_s="$(awk -v ns="$ns" 'BEGIN {printf "%.4f", ns / 1e9}')"
ratio="$(awk -v a="$sk_s" -v b="$eddy_s" 'BEGIN {printf "%.2f", a / b}')"
echo "| bench | rows | eddy fit+transform (s) | sklearn fit+transform (s) | speedup |"
echo "|---|---|---|---|---|"
printf '| feature pipeline (6 num + 4 cat, mixed_200k) | 200000 | %s | %.4f | %sx |\n' "$eddy_s" "$sk_s" "$ratio"
