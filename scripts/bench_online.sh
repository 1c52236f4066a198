#!/usr/bin/env bash
# Speed of Eddy's FTRL on the peers' hashed CTR stream (1M rows, 20 fields,
# 2^20 features), test-then-train, against the bare Go FTRL loop
# (../shared/peers/go/cmd/ftrl) and scikit-learn's SGDClassifier partial_fit
# at batch 1000 (1M rows) and batch 1 (first SGD_BATCH1_ROWS rows), all in
# one run, one after the other on a quiet machine. Prints the JSON lines and
# a markdown table of samples/s per core and ratios.
#
#   bash scripts/bench_online.sh            # OUT=/tmp/olb REPS=3 SGD_BATCH1_ROWS=20000
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-/tmp/olb}
REPS=${REPS:-3}
SGD_BATCH1_ROWS=${SGD_BATCH1_ROWS:-20000}
PY=/usr/bin/python3
mkdir -p "$OUT"
go build -o "$OUT/onlinebench" ./online/internal/onlinebench
(cd ../shared/peers/go && go build -o "$OUT/peer_ftrl" ./cmd/ftrl)
DATA="$OUT/ctr_1m.bin.gz"
[ -f "$DATA" ] || "$OUT/onlinebench" ctrdata -out "$DATA"
RES="$OUT/speed.jsonl"
: > "$RES"
"$OUT/peer_ftrl" -data "$DATA" -reps "$REPS" | tee -a "$RES"
"$OUT/onlinebench" speed -data "$DATA" -reps "$REPS" | tee -a "$RES"
# End to end through the engine: source -> learner operator (test-then-train
# predictions, a model version every 100k rows) -> sink, samples per CPU second.
EDDY_CTR_DATA="$DATA" go test -run '^$' -bench 'LearnFTRLCTR/engine$' -benchtime "${REPS}x" ./online/modelstream |
	awk '/LearnFTRLCTR\/engine/ { for (i = 1; i <= NF; i++) if ($(i+1) == "samples/cpu-s") printf "{\"bench\": \"eddy_ftrl_engine\", \"samples_per_cpu_s\": %s}\n", $i }' | tee -a "$RES"
$PY scripts/bench_online_sklearn.py --data "$DATA" --batch 1000 | tee -a "$RES"
$PY scripts/bench_online_sklearn.py --data "$DATA" --batch 1 --rows "$SGD_BATCH1_ROWS" | tee -a "$RES"
$PY - "$RES" <<'PYEOF'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
bare = next(r for r in rows if r["bench"] == "ftrl_go_train" and r["variant"].startswith("textbook"))
eddy = next(r for r in rows if r["bench"] == "eddy_ftrl_train")
sk = {r["batch"]: r for r in rows if r["bench"] == "sklearn_sgd_ctr_partial_fit"}
e = eddy["samples_per_s_median"]
engine = next((r for r in rows if r["bench"] == "eddy_ftrl_engine"), None)
print()
print("| learner | rows | samples/s per core | Eddy FTRL / this | progressive log loss | AUC |")
print("|---|---|---|---|---|---|")
if engine:
    print(f"| Eddy ftrl through the engine (source -> learner operator with predictions -> sink), per CPU second | {eddy['rows']} | {engine['samples_per_cpu_s']:,.0f} | {e / engine['samples_per_cpu_s']:.2f} | same rows, same model | |")
print(f"| Eddy ftrl, UpdatePredict on 4096-row sparse Arrow batches | {eddy['rows']} | {e:,.0f} | 1.00 | {eddy['progressive_logloss']:.4f} | {eddy['progressive_auc']:.4f} |")
print(f"| bare Go FTRL loop (peers/go/cmd/ftrl, textbook) | {bare['rows']} | {bare['samples_per_s_median']:,.0f} | {e / bare['samples_per_s_median']:.2f} | {bare['progressive_logloss']:.4f} | {bare['progressive_auc']:.4f} |")
for b in sorted(sk, reverse=True):
    r = sk[b]
    print(f"| sklearn SGDClassifier partial_fit, batch {b} | {r['rows']} | {r['samples_per_s']:,.0f} | {e / r['samples_per_s']:.1f} | {r['progressive_logloss']:.4f} | {r['progressive_auc']:.4f} |")
print()
print(f"goals: >= 0.50 of the bare loop: {e / bare['samples_per_s_median']:.2f}; >= 2x sklearn batch 1000: {e / sk[1000]['samples_per_s']:.1f}x; >= 1000x sklearn batch 1: {e / sk[1]['samples_per_s']:.0f}x")
PYEOF
