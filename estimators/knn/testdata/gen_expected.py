#!/usr/bin/python3
"""scikit-learn reference for estimators/knn (run once from this directory
with Debian's /usr/bin/python3):

  /usr/bin/python3 gen_expected.py | gzip > expected.json.gz

KNeighborsClassifier(algorithm="brute") on standardised shared datasets,
trained on even rows, scored on odd rows: probabilities and predictions."""
import json
import os
import sys

import numpy as np
import pandas as pd
from sklearn.neighbors import KNeighborsClassifier

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../../shared/datasets")


def numeric(name):
    df = pd.read_csv(f"{ROOT}/{name}.csv.gz")
    X = df[[c for c in df.columns if c != "label"]].values.astype(float)
    s = X.std(axis=0)
    s[s < 10 * np.finfo(float).eps] = 1
    return (X - X.mean(axis=0)) / s, df["label"].values.astype(float)


out = []
for ds in ["iris", "wine", "breast_cancer"]:
    X, y = numeric(ds)
    for k, weights in [(5, "uniform"), (5, "distance"), (1, "uniform"), (10, "distance")]:
        est = KNeighborsClassifier(n_neighbors=k, weights=weights, algorithm="brute").fit(X[::2], y[::2])
        out.append({"dataset": ds, "k": k, "weights": weights, "proba": est.predict_proba(X[1::2]).tolist(),
                    "pred": est.predict(X[1::2]).tolist()})
json.dump(out, sys.stdout)
