#!/usr/bin/python3
"""sklearn side of scripts/bench_logreg_dense.sh: LogisticRegression(lbfgs)
fit on the first N rows x 50 of the peers' dense data (peers/datagen.py).
Usage: /usr/bin/python3 scripts/bench_logreg_dense.py PEERS_DIR N"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
import datagen  # noqa: E402
from sklearn.linear_model import LogisticRegression

n = int(sys.argv[2])
X, y = datagen.dense_rows(0, n)
best = None
for _ in range(3):
    t = time.perf_counter()
    m = LogisticRegression(solver="lbfgs", max_iter=1000).fit(X, y)
    s = time.perf_counter() - t
    best = s if best is None else min(best, s)
print(json.dumps({"rows": n, "fit_s": best, "n_iter": int(m.n_iter_[0])}))
