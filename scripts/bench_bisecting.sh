#!/usr/bin/env bash
# Bisecting k-means fit time, Eddy vs scikit-learn's BisectingKMeans(k=10,
# random_state=0) in one run, on 200,000 x 20 blobs rows (the peers'
# generator, as estimators/bisectingkmeans BenchmarkFitBlobs): best of 5
# fits each (the machine is noisy), with the inertia of each side.
set -euo pipefail
cd "$(dirname "$0")/.."
PEERS=${PEERS:-$(cd .. && pwd)/shared/peers}
sk_run() {
/usr/bin/python3 - "$PEERS" <<'PY'
import sys, time
import numpy as np
sys.path.insert(0, sys.argv[1])
import datagen
from sklearn.cluster import BisectingKMeans
n, seed = 200_000, 42
C = datagen.blob_centers(seed)
a = np.minimum(np.floor(datagen.unif_range(seed, 21, 0, n) * 10), 9).astype(int)
X = C[a] + datagen.ih4_range(seed, 22, 0, n * 20).reshape(n, 20)
best = None
for _ in range(5):
    t = time.perf_counter()
    m = BisectingKMeans(10, random_state=0).fit(X)
    s = time.perf_counter() - t
    best = s if best is None else min(best, s)
print(f"{best} {m.inertia_}")
PY
}
# OpenMP's spinning barriers collapse on a loaded 2-core machine: time
# scikit-learn on 1 and on 2 threads and keep the faster.
sk1=$(OMP_NUM_THREADS=1 sk_run)
sk2=$(OMP_NUM_THREADS=2 sk_run)
echo "sklearn 1 thread: $sk1; 2 threads: $sk2"
sk=$(awk -v a="$sk1" -v b="$sk2" 'BEGIN {split(a, x, " "); split(b, y, " "); print (x[1] < y[1]) ? a : b}')
go_out=$(go test -run '^$' -bench 'BenchmarkFitBlobs$' -benchtime 1x -count 5 ./estimators/bisectingkmeans | grep BenchmarkFitBlobs | sort -n -k3 | head -1)
echo "sklearn: fit_s inertia = $sk"
echo "eddy:    $go_out"
/usr/bin/python3 -c "
sk_s, sk_in = map(float, '$sk'.split())
go = '$go_out'.split()
go_s = float(go[2]) / 1e9
go_in = float(go[go.index('inertia') - 1])
print(f'eddy fit {go_s:.3f} s, sklearn {sk_s:.3f} s, ratio eddy/sklearn {go_s / sk_s:.2f}; inertia eddy {go_in:.4g} sklearn {sk_in:.4g} ({(go_in / sk_in - 1) * 100:+.2f}%)')"
