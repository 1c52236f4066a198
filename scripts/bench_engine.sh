#!/usr/bin/env bash
# Stream engine throughput (issue 3's benchmarks): source -> map -> sink on
# 20-column float64 batches, and source -> keyBy -> tumbling window count ->
# sink with 100k keys, without checkpoints and with one every second.
# Runs each benchmark COUNT times (default 3) and prints a markdown table:
# mean rows/s (wall clock) and rows per CPU-second (the whole process's
# user+system time: throughput per core used), with the checkpoint
# overhead measured in the same run.
#
#   scripts/bench_engine.sh [COUNT] [BENCHTIME]
set -euo pipefail
cd "$(dirname "$0")/.."
count="${1:-3}"
benchtime="${2:-4s}"
out="$(go test -run='^$' -bench='^BenchmarkEngine' -benchtime="$benchtime" -count="$count" ./pipeline/window/)"
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
	none = "WindowCount/checkpoint=none"; ck = "WindowCount/checkpoint=1s"
	if ((none in n) && (ck in n)) {
		a = wall[none] / n[none]; c = wall[ck] / n[ck]
		ac = cpu[none] / n[none]; cc = cpu[ck] / n[ck]
		printf "\ncheckpoint every 1s vs none: overhead %.1f%% wall rows/s, %.1f%% rows per CPU-second (goal < 5%%)\n", (1 - c / a) * 100, (1 - cc / ac) * 100
	}
}'
