#!/usr/bin/python3
"""sklearn side of scripts/bench_logreg_sgd.sh: SGDClassifier(loss="log_loss",
alpha=1e-4, max_iter=1000, tol=1e-3, random_state=0) fit on the first N
rows x 50 of the peers' dense data (peers/datagen.py), best of 3, with the
epochs and the training log loss of the fitted model.
Usage: /usr/bin/python3 scripts/bench_logreg_sgd.py PEERS_DIR N"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
import datagen  # noqa: E402
from sklearn.linear_model import SGDClassifier
from sklearn.metrics import log_loss

n = int(sys.argv[2])
X, y = datagen.dense_rows(0, n)
best = None
for _ in range(3):
    t = time.perf_counter()
    m = SGDClassifier(loss="log_loss", alpha=1e-4, max_iter=1000, tol=1e-3, random_state=0).fit(X, y)
    s = time.perf_counter() - t
    best = s if best is None else min(best, s)
print(json.dumps({"rows": n, "fit_s": best, "epochs": int(m.n_iter_), "train_log_loss": log_loss(y, m.predict_proba(X)[:, 1])}))
