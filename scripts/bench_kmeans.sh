#!/usr/bin/env bash
# KMeans fit time, Eddy vs scikit-learn, in one run, on the peers' blobs
# set (ROWS rows x 20, k=10; default 1,000,000 = the peers' set):
# shared/peers/bench_kmeans.py for scikit-learn (KMeans n_init=1 and 10,
# MiniBatchKMeans batch 2048), the Go benchmarks of estimators/kmeans on
# the same rows (estimators/internal/blobs is the bit-exact generator).
# Prints fit seconds, iterations, inertia and the ratio eddy/sklearn.
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${ROWS:-1000000}
PEERS=${PEERS:-$(cd .. && pwd)/shared/peers}
if [[ "$ROWS" != 1000000 ]]; then echo "the peers' script fits 1,000,000 rows; set ROWS=1000000" >&2; exit 2; fi
sk=$(/usr/bin/python3 "$PEERS/bench_kmeans.py")
go_out=$(EDDY_BLOBS_ROWS=$ROWS go test -run '^$' -bench 'BenchmarkFitBlobs' -benchtime 1x -count 1 ./estimators/kmeans | grep '^BenchmarkFitBlobs')
SK="$sk" GO="$go_out" /usr/bin/python3 - <<'PY'
import json, os
sk = [json.loads(l) for l in os.environ["SK"].splitlines() if l.strip()]
go = {}
for l in os.environ["GO"].splitlines():
    f = l.split()
    name = f[0].split("-")[0]
    vals = {f[i + 1]: float(f[i]) for i in range(2, len(f) - 1, 2)}
    go[name] = vals
pairs = [("BenchmarkFitBlobs", 0), ("BenchmarkFitBlobsNInit10", 1), ("BenchmarkFitBlobsMiniBatch", 2)]
print("| estimator | sklearn fit s | eddy fit s | eddy/sklearn | sklearn iters | eddy iters | sklearn inertia | eddy inertia |")
print("|---|---:|---:|---:|---:|---:|---:|---:|")
for g, i in pairs:
    s, e = sk[i], go[g]
    es = e["ns/op"] / 1e9
    print(f"| {s['estimator']} | {s['fit_s']:.2f} | {es:.2f} | {es / s['fit_s']:.2f} | {s['n_iter']} | {e['iters']:.0f} | {s['inertia']:.6g} | {e['inertia']:.6g} |")
print(f"true centres inertia {sk[0]['true_centres_inertia']:.6g}; sklearn {sk[0]['sklearn']}, threads {sk[0]['threadpools']}")
PY
