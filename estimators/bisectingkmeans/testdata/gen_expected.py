#!/usr/bin/python3
"""Expected inertias of scikit-learn's BisectingKMeans for
bisectingkmeans_test.go: run once with Debian's /usr/bin/python3 from this
directory (writes expected.json).

For iris (raw), wine (standardised) and the first 20000 rows of the
peers' blobs, and both bisecting strategies: the best inertia of
BisectingKMeans(n_clusters=k, bisecting_strategy=s, random_state=r, n_init=5) (init
'random') over r = 0..4."""
import json
import os
import sys

import numpy as np
import pandas as pd
import sklearn
from sklearn.cluster import BisectingKMeans
from sklearn.preprocessing import StandardScaler

N_INIT = 5
root = sys.argv[1] if len(sys.argv) > 1 else "../../../../shared/datasets"
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(root)), "peers"))
import datagen  # noqa: E402


def blobs(n, seed=42):
    C = datagen.blob_centers(seed)
    a = np.minimum(np.floor(datagen.unif_range(seed, 21, 0, n) * 10), 9).astype(int)
    return C[a] + datagen.ih4_range(seed, 22, 0, n * 20).reshape(n, 20)


def numeric(name):
    df = pd.read_csv(f"{root}/{name}.csv.gz")
    return df[[c for c in df.columns if c != "label"]].values.astype(float)


sets = [("iris", numeric("iris"), 3), ("iris", numeric("iris"), 6),
        ("wine", StandardScaler().fit_transform(numeric("wine")), 3),
        ("wine", StandardScaler().fit_transform(numeric("wine")), 6),
        ("blobs", blobs(20000), 10)]
out = {"sklearn": sklearn.__version__, "cases": []}
for name, X, k in sets:
    for strategy in ["biggest_inertia", "largest_cluster"]:
        inertias = [float(BisectingKMeans(n_clusters=k, bisecting_strategy=strategy, n_init=N_INIT, random_state=r).fit(X).inertia_) for r in range(5)]
        out["cases"].append({"dataset": name, "k": k, "strategy": strategy, "inertia": min(inertias), "inertias": inertias,
                             "checksum": float(X.sum()), "first": X[0, :3].tolist()})
with open("expected.json", "w") as f:
    json.dump(out, f, indent=1)
