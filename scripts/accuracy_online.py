"""Prequential (test-then-train) accuracy of Eddy's online learners against
scikit-learn's SGDClassifier(loss='log_loss') partial_fit on elec2,
drift_sea_abrupt and ctr_criteo_kaggle_8k, in file order.

Both sides learn from the same feature rows, made once here and written to
a binary file the Go side (online/internal/onlinebench accuracy) reads:

  elec2           date, period, nswprice, nswdemand, vicprice, vicdemand,
                  transfer as given (already scaled to [0, 1]), day (1-7)
                  one-hot: 14 features
  drift_sea_abrupt  x1, x2, x3 divided by 10 (their range is [0, 10])
  criteo 8k       I1-I13 as log(1 + max(x, 0)) (empty: absent), C1-C26
                  hashed as "C<j>=<value>" with MurmurHash3_x86_32 seed 42
                  (Eddy's feature_hasher) into 2^18 buckets after the 13
                  numeric slots (empty: absent); duplicates summed

sklearn sees the same matrix (dense numpy for elec2 and SEA, CSR for
criteo), random_state=0, in three settings (SKLEARN_CONFIGS: its defaults
alpha=1e-4 with learning_rate='optimal', a constant rate and inverse
scaling), each per row (batch 1: each row scored with predict_proba, then
partial_fit) and in mini-batches of 100 rows (the batch scored, then
learned). The first batch is scored 0.5. Metrics: log loss with p clipped
to [1e-15, 1-1e-15], accuracy with p >= 0.5 predicted positive, ROC AUC.

  /usr/bin/python3 scripts/accuracy_online.py --bench /tmp/onlinebench --out /tmp/olb
"""
import argparse
import gzip
import json
import os
import struct
import subprocess
import sys
import time

import numpy as np
import pandas as pd

DATASETS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "datasets")
HASH_BITS = 18


def featurize(name):
    df = pd.read_csv(os.path.join(DATASETS, name + ".csv.gz"), keep_default_na=True)
    y = df["label"].to_numpy().astype(np.int64)
    rows = []
    if name == "elec2":
        num = ["date", "period", "nswprice", "nswdemand", "vicprice", "vicdemand", "transfer"]
        X = df[num].to_numpy(dtype=np.float64)
        day = df["day"].to_numpy().astype(int)
        dim = len(num) + 7
        dense = np.zeros((len(df), dim))
        dense[:, : len(num)] = X
        dense[np.arange(len(df)), len(num) + day - 1] = 1.0
        return dense, y, dim, True
    if name == "drift_sea_abrupt":
        X = df[["x1", "x2", "x3"]].to_numpy(dtype=np.float64) / 10.0
        return X, y, 3, True
    # criteo
    from sklearn.utils import murmurhash3_32
    dim = 13 + (1 << HASH_BITS)
    ints = [f"I{j}" for j in range(1, 14)]
    cats = [f"C{j}" for j in range(1, 27)]
    for _, r in df.iterrows():
        feats = {}
        for j, c in enumerate(ints):
            v = r[c]
            if pd.notna(v):
                feats[j] = feats.get(j, 0.0) + float(np.log1p(max(float(v), 0.0)))
        for c in cats:
            v = r[c]
            if pd.notna(v) and v != "":
                h = murmurhash3_32(f"{c}={v}", seed=42, positive=True) % (1 << HASH_BITS)
                feats[13 + h] = feats.get(13 + h, 0.0) + 1.0
        rows.append(sorted(feats.items()))
    import scipy.sparse as sp
    indptr = np.cumsum([0] + [len(r) for r in rows])
    indices = np.array([i for r in rows for i, _ in r], dtype=np.int32)
    data = np.array([v for r in rows for _, v in r], dtype=np.float64)
    return sp.csr_matrix((data, indices, indptr), shape=(len(rows), dim)), y, dim, False


def write_set(path, X, y, dim, is_dense):
    with open(path, "wb") as f:
        f.write(b"EDDYSPR1" + struct.pack("<II", len(y), dim))
        for i in range(len(y)):
            if is_dense:
                row = X[i]
                idx = np.nonzero(row)[0].astype("<u4")
                vals = row[idx].astype("<f8")
            else:
                s, e = X.indptr[i], X.indptr[i + 1]
                idx = X.indices[s:e].astype("<u4")
                vals = X.data[s:e].astype("<f8")
            f.write(struct.pack("<BI", int(y[i]), len(idx)))
            f.write(idx.tobytes())
            f.write(vals.tobytes())


def metrics(y, p):
    from sklearn.metrics import roc_auc_score
    pc = np.clip(p, 1e-15, 1 - 1e-15)
    ll = float(-np.mean(y * np.log(pc) + (1 - y) * np.log(1 - pc)))
    acc = float(np.mean((p >= 0.5).astype(int) == y))
    return ll, acc, float(roc_auc_score(y, p))


SKLEARN_CONFIGS = [
    ("defaults: alpha 1e-4, optimal", {}),
    ("constant eta0 0.01", {"learning_rate": "constant", "eta0": 0.01}),
    ("invscaling eta0 0.2, power_t 0.25", {"learning_rate": "invscaling", "eta0": 0.2, "power_t": 0.25}),
]


def sklearn_prequential(X, y, batch, params):
    from sklearn.linear_model import SGDClassifier
    clf = SGDClassifier(loss="log_loss", random_state=0, **params)
    n = len(y)
    p = np.empty(n)
    classes = np.array([0, 1])
    fitted = False
    t = time.perf_counter()
    for s in range(0, n, batch):
        e = min(n, s + batch)
        Xb, yb = X[s:e], y[s:e]
        p[s:e] = clf.predict_proba(Xb)[:, 1] if fitted else 0.5
        clf.partial_fit(Xb, yb, classes=classes)
        fitted = True
    return p, time.perf_counter() - t


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bench", required=True, help="onlinebench binary")
    ap.add_argument("--out", default="/tmp/olb")
    ap.add_argument("--datasets", default="elec2,drift_sea_abrupt,ctr_criteo_kaggle_8k")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    results = []
    for name in args.datasets.split(","):
        X, y, dim, is_dense = featurize(name)
        path = os.path.join(args.out, name + ".spr")
        write_set(path, X, y, dim, is_dense)
        out = subprocess.run([args.bench, "accuracy", "-in", path], check=True, capture_output=True, text=True).stdout
        for line in out.splitlines():
            r = json.loads(line)
            results.append({"data": name, "learner": r["learner"], "mode": "per row", "logloss": r["logloss"],
                            "accuracy": r["accuracy"], "auc": r["auc"], "seconds": r["seconds"]})
            print(json.dumps(results[-1]), flush=True)
        for cname, params in SKLEARN_CONFIGS:
            for batch in (1, 100):
                p, secs = sklearn_prequential(X, y, batch, params)
                ll, acc, auc = metrics(y, p)
                results.append({"data": name, "learner": f"sklearn SGDClassifier(log_loss) partial_fit, {cname}",
                                "mode": "per row" if batch == 1 else f"mini-batch {batch}",
                                "logloss": ll, "accuracy": acc, "auc": auc, "seconds": secs})
                print(json.dumps(results[-1]), flush=True)
    print()
    print("| data set | learner | mode | prequential log loss | accuracy | AUC | seconds |")
    print("|---|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r['data']} | {r['learner']} | {r['mode']} | {r['logloss']:.4f} | {r['accuracy']:.4f} | {r['auc']:.4f} | {r['seconds']:.2f} |")


if __name__ == "__main__":
    sys.exit(main())
