#!/usr/bin/python3
"""Expected outputs of scikit-learn's IsotonicRegression for
isotonic_test.go: run once with Debian's /usr/bin/python3 from this
directory (writes expected.json.gz).

Each case fits one feature of a shared dataset against a target and
predicts the training feature values and a grid reaching 10% beyond the
training range on both sides."""
import gzip
import json
import sys

import numpy as np
import pandas as pd
import sklearn
from sklearn.isotonic import IsotonicRegression

root = sys.argv[1] if len(sys.argv) > 1 else "../../../../shared/datasets"


def weights(n):
    return np.array([((i * 7) % 5) / 2.0 for i in range(n)])  # includes zeros


CASES = [
    # name, dataset, feature, target, params, weighted
    ("diabetes_bmi", "diabetes", "bmi", "target", {}, False),
    ("diabetes_bmi_auto_weighted", "diabetes", "bmi", "target", {"increasing": "auto"}, True),
    ("diabetes_s3_auto_clip", "diabetes", "s3", "target", {"increasing": "auto", "out_of_bounds": "clip"}, False),
    ("diabetes_s3_decreasing_bounds", "diabetes", "s3", "target", {"increasing": False, "y_min": 100.0, "y_max": 200.0, "out_of_bounds": "clip"}, True),
    ("diabetes_age_ties", "diabetes", "age", "target", {}, False),
    ("iris_petal_length", "iris", "petal_length_cm", "sepal_length_cm", {"increasing": "auto"}, False),
    ("wine_color_intensity", "wine", "color_intensity", "alcohol", {"out_of_bounds": "clip"}, True),
]

out = {"sklearn": sklearn.__version__, "cases": []}
for name, ds, feat, target, params, weighted in CASES:
    df = pd.read_csv(f"{root}/{ds}.csv.gz")
    x, y = df[feat].values.astype(float), df[target].values.astype(float)
    w = weights(len(x)) if weighted else None
    m = IsotonicRegression(**params).fit(x, y, sample_weight=w)
    lo, hi = x.min(), x.max()
    span = hi - lo
    grid = np.linspace(lo - 0.1 * span, hi + 0.1 * span, 301)
    query = np.concatenate([x, grid])
    pred = m.predict(query)
    out["cases"].append({
        "name": name, "dataset": ds, "feature": feat, "target": target,
        "params": {k: (str(v).lower() if isinstance(v, bool) else v) for k, v in params.items()},
        "weighted": weighted, "increasing": bool(m.increasing_),
        "x_thresholds": m.X_thresholds_.tolist(), "y_thresholds": m.y_thresholds_.tolist(),
        "query": query.tolist(),
        "prediction": [None if np.isnan(v) else float(v) for v in pred],
    })
with gzip.open("expected.json.gz", "wt") as f:
    json.dump(out, f)
