#!/usr/bin/python3
"""Expected results of scikit-learn's GaussianMixture for
gaussianmixture_test.go: run once with Debian's /usr/bin/python3 from this
directory (writes expected.json).

For iris (raw), wine (standardised) and the first 5000 rows of the peers'
blobs, and each covariance type: GaussianMixture(n_components=k,
covariance_type=t, n_init=5, random_state=0) (init_params='kmeans',
tol=1e-3, reg_covar=1e-6, max_iter=100), keeping the lower bound, the
mean log-likelihood (score) and the means and weights."""
import json
import os
import sys

import numpy as np
import pandas as pd
import sklearn
from sklearn.mixture import GaussianMixture
from sklearn.preprocessing import StandardScaler

root = sys.argv[1] if len(sys.argv) > 1 else "../../../../shared/datasets"
peers = os.path.join(os.path.dirname(os.path.abspath(root)), "peers")
sys.path.insert(0, peers)
import datagen  # noqa: E402


def blobs(n, seed=42):
    C = datagen.blob_centers(seed)
    a = np.minimum(np.floor(datagen.unif_range(seed, 21, 0, n) * 10), 9).astype(int)
    return C[a] + datagen.ih4_range(seed, 22, 0, n * 20).reshape(n, 20)


def numeric(name):
    df = pd.read_csv(f"{root}/{name}.csv.gz")
    return df[[c for c in df.columns if c != "label"]].values.astype(float)


sets = [("iris", numeric("iris"), 3),
        ("wine", StandardScaler().fit_transform(numeric("wine")), 3),
        ("blobs", blobs(5000), 10)]
out = {"sklearn": sklearn.__version__, "cases": []}
for name, X, k in sets:
    for typ in ["full", "tied", "diag", "spherical"]:
        m = GaussianMixture(n_components=k, covariance_type=typ, n_init=5, random_state=0).fit(X)
        out["cases"].append({"dataset": name, "k": k, "covariance_type": typ,
                             "lower_bound": float(m.lower_bound_), "score": float(m.score(X)),
                             "means": m.means_.tolist(), "weights": m.weights_.tolist(),
                             "checksum": float(X.sum()), "first": X[0, :3].tolist()})
with open("expected.json", "w") as f:
    json.dump(out, f, indent=0)
