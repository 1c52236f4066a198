#!/usr/bin/python3
"""Generates expected.json: scikit-learn 1.2.1 LogisticRegression(lbfgs)
coefficients on standardized wine and breast_cancer, fitted to tight
tolerance. Run once from this directory: /usr/bin/python3 gen_expected.py"""
import json
import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

DS = "../../../../shared/datasets/"
out = []
for name in ("wine", "breast_cancer"):
    df = pd.read_csv(DS + name + ".csv.gz")
    X = StandardScaler().fit_transform(df.drop(columns="label").values)
    y = df["label"].values.astype(float)
    n = len(y)
    sw = 1.0 + (np.arange(n) % 3)
    cases = [
        ("default", dict(C=1.0), None),
        ("c0.1_weighted", dict(C=0.1), sw),
        ("no_intercept", dict(C=1.0, fit_intercept=False), None),
        ("balanced", dict(C=0.5, class_weight="balanced"), None),
    ]
    for label, kw, w in cases:
        m = LogisticRegression(tol=1e-10, max_iter=100000, **kw).fit(X, y, sample_weight=w)
        out.append({"dataset": name, "case": label, "C": kw["C"],
                    "fit_intercept": kw.get("fit_intercept", True),
                    "class_weight": kw.get("class_weight", ""), "weighted": w is not None,
                    "coef": m.coef_.tolist(), "intercept": m.intercept_.tolist(),
                    "classes": m.classes_.tolist(),
                    "proba_first5": m.predict_proba(X[:5]).tolist()})
with open("expected.json", "w") as f:
    json.dump(out, f, indent=0)
