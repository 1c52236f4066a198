"""sklearn SGDClassifier(loss='log_loss') partial_fit on the peers' hashed
CTR stream, test-then-train, exactly as peers/bench_sgd_ctr.py but reading
the stream from --data (peers/data holds only its manifest here). Each
mini-batch is scored with predict_proba, then learned. Prints one JSON line.

  /usr/bin/python3 scripts/bench_online_sklearn.py --data /tmp/olb/ctr_1m.bin.gz --batch 1000
"""
import argparse
import json
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "peers"))
import datagen  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--batch", type=int, default=1000)
    ap.add_argument("--rows", type=int, default=datagen.CTR_ROWS)
    args = ap.parse_args()
    from sklearn.linear_model import SGDClassifier
    from sklearn.metrics import log_loss, roc_auc_score

    idx, y, bits = datagen.read_ctr(args.data)
    X = datagen.ctr_csr(idx[: args.rows], 1 << bits)
    y = np.asarray(y[: args.rows], dtype=np.int64)
    n = X.shape[0]
    clf = SGDClassifier(loss="log_loss", alpha=1e-4, random_state=0)
    p = np.empty(n)
    classes = np.array([0, 1])
    fitted = False
    t = time.perf_counter()
    for s in range(0, n, args.batch):
        e = min(n, s + args.batch)
        p[s:e] = clf.predict_proba(X[s:e])[:, 1] if fitted else 0.5
        clf.partial_fit(X[s:e], y[s:e], classes=classes)
        fitted = True
    total = time.perf_counter() - t
    print(json.dumps({"bench": "sklearn_sgd_ctr_partial_fit", "batch": args.batch, "rows": n,
                      "samples_per_s": n / total, "loop_s": total,
                      "progressive_logloss": float(log_loss(y, np.clip(p, 1e-15, 1 - 1e-15), labels=[0, 1])),
                      "progressive_auc": float(roc_auc_score(y, p))}), flush=True)


if __name__ == "__main__":
    main()
