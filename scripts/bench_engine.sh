#!/usr/bin/env bash
# Stream engine throughput (issue 3's benchmarks): source -> map -> sink on
# 20-column float64 batches, and source -> keyBy -> tumbling window count ->
# sink with 100k keys, without checkpoints and with one every second.
# Runs each benchmark COUNT times (default 3) and prints a markdown table:
# mean rows/s (wall clock) and rows per CPU-second (the whole process's
# user+system time: throughput per core used). The checkpoint overhead is
# measured by BenchmarkEngineCheckpointOverhead: PAIRS (default 6) pairs of
# runs of the same 21M-row job without and with a checkpoint every second,
# in alternating order.
#
#   scripts/bench_engine.sh [COUNT] [BENCHTIME] [PAIRS]
set -euo pipefail
cd "$(dirname "$0")/.."
count="${1:-3}"
benchtime="${2:-4s}"
pairs="${3:-6}"
out="$(go test -run='^$' -bench='^BenchmarkEngine(Map|WindowCount)' -benchtime="$benchtime" -count="$count" ./pipeline/window/)"
over="$(go test -run='^$' -bench='^BenchmarkEngineCheckpointOverhead' -benchtime="${pairs}x" ./pipeline/window/)"
if ! printf '%s\n' "$out" | grep -q '^BenchmarkEngine'; then
	printf '%s\n' "$out" >&2
	echo "bench_engine: no benchmark result" >&2
	exit 1
fi
printf '%s\n' "$out" | awk -v cores="$(nproc)" '
/^BenchmarkEngine/ {
	name = $1; sub(/-[0-9]+$/, "", name); sub(/^BenchmarkEngine/, "", name)
	for (i = 3; i < NF; i++) {
		if ($(i+1) == "rows/s") { wall[name] += $i }
		if ($(i+1) == "rows/cpu-s") { cpu[name] += $i }
	}
	n[name]++
	if (!(name in seen)) { seen[name] = 1; order[++k] = name }
}
END {
	printf "| benchmark (%d cores, %d runs each) | rows/s | rows/s per core (CPU time) | goal per core |\n", cores, n[order[1]]
	print "|---|---|---|---|"
	for (j = 1; j <= k; j++) {
		b = order[j]
		goal = (b ~ /^Map/) ? ">= 10M" : ">= 2M"
		printf "| %s | %.3gM | %.3gM | %s |\n", b, wall[b] / n[b] / 1e6, cpu[b] / n[b] / 1e6, goal
	}
}'
printf '%s\n' "$over" | awk '
/^BenchmarkEngineCheckpointOverhead/ {
	for (i = 3; i < NF; i++) { v[$(i+1)] = $i }
	printf "\ncheckpoint every 1s vs none, %d alternating pairs of 21M-row runs: %.3gM vs %.3gM rows per CPU-second (overhead %.1f%% of the totals, median of pairs %.1f%%), %.3gM vs %.3gM rows/s wall (overhead %.1f%%, median %.1f%%), %.1f checkpoints per run (goal < 5%%)\n", $2, v["ckpt-rows/cpu-s"] / 1e6, v["none-rows/cpu-s"] / 1e6, (1 - v["ckpt-rows/cpu-s"] / v["none-rows/cpu-s"]) * 100, v["cpu-overhead-%"], v["ckpt-rows/s"] / 1e6, v["none-rows/s"] / 1e6, (1 - v["ckpt-rows/s"] / v["none-rows/s"]) * 100, v["wall-overhead-%"], v["checkpoints/run"]
}'
