#!/usr/bin/python3
"""scikit-learn reference for estimators/kmeans tests (run once, from this
directory, with Debian's /usr/bin/python3):

  /usr/bin/python3 gen_expected.py > expected.json

Cases: iris (raw features, k=3), wine (standardised, k=3) and the first
20,000 rows of the peers' blobs set (k=10). For each: the best inertia of
KMeans(n_init=10) and MiniBatchKMeans(n_init=3, batch_size=256) over 5
random_state values, and the blobs checksum that pins the Go generator."""
import json
import os
import sys

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans, MiniBatchKMeans

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../../shared/peers"))
import datagen  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../../shared/datasets")


def blobs(n, seed=42):
    C = datagen.blob_centers(seed)
    a = np.minimum(np.floor(datagen.unif_range(seed, 21, 0, n) * 10), 9).astype(int)
    return C[a] + datagen.ih4_range(seed, 22, 0, n * 20).reshape(n, 20)


def numeric(name):
    df = pd.read_csv(f"{ROOT}/{name}.csv.gz")
    return df[[c for c in df.columns if c != "label"]].values.astype(float)


def std(X):
    s = X.std(axis=0)
    s[s < 10 * np.finfo(float).eps] = 1
    return (X - X.mean(axis=0)) / s


out = []
for name, X, k in [("iris", numeric("iris"), 3), ("wine", std(numeric("wine")), 3), ("blobs", blobs(20000), 10)]:
    km = min(KMeans(n_clusters=k, n_init=10, random_state=s).fit(X).inertia_ for s in range(5))
    mb = min(MiniBatchKMeans(n_clusters=k, n_init=3, batch_size=256, random_state=s).fit(X).inertia_ for s in range(5))
    out.append({"dataset": name, "k": k, "kmeans_inertia": km, "minibatch_inertia": mb,
                "checksum": float(X.sum()), "first": X[0, :3].tolist()})
json.dump(out, sys.stdout, indent=1)
print()
