#!/usr/bin/python3
"""scikit-learn reference for estimators/linearsvc (run once from this
directory with Debian's /usr/bin/python3):

  /usr/bin/python3 gen_expected.py > expected.json

LinearSVC (squared hinge, L2, liblinear dual CD) solved tightly
(tol=1e-10, max_iter=10^6) on standardised shared datasets."""
import json
import os
import sys
import warnings

import numpy as np
import pandas as pd
from sklearn.svm import LinearSVC

warnings.simplefilter("ignore")
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../../shared/datasets")


def numeric(name):
    df = pd.read_csv(f"{ROOT}/{name}.csv.gz")
    X = df[[c for c in df.columns if c != "label"]].values.astype(float)
    s = X.std(axis=0)
    s[s < 10 * np.finfo(float).eps] = 1
    return (X - X.mean(axis=0)) / s, df["label"].values.astype(float)


out = []
for ds in ["breast_cancer", "iris", "wine"]:
    X, y = numeric(ds)
    for case, kw, weighted in [("default", {}, False), ("C=0.1", {"C": 0.1}, True),
                               ("no intercept", {"fit_intercept": False}, False),
                               ("intercept_scaling=10", {"intercept_scaling": 10.0}, False)]:
        w = 1.0 + (np.arange(len(y)) % 3) if weighted else None
        est = LinearSVC(tol=1e-10, max_iter=1000000, **kw).fit(X, y, sample_weight=w)
        out.append({"dataset": ds, "case": case, "C": kw.get("C", 1.0), "fit_intercept": kw.get("fit_intercept", True),
                    "intercept_scaling": kw.get("intercept_scaling", 1.0), "weighted": weighted,
                    "coef": est.coef_.tolist(), "intercept": (np.atleast_1d(est.intercept_) * np.ones(len(est.coef_))).tolist(),
                    "decision_first5": np.atleast_2d(est.decision_function(X[:5]).T).T.tolist()})
json.dump(out, sys.stdout, indent=0)
print()
