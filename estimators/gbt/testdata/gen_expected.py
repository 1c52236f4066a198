#!/usr/bin/python3
"""Expected outputs of scikit-learn's HistGradientBoostingClassifier/
Regressor (early stopping off) for gbt_test.go: fitted on every row of a
shared dataset (numeric columns), raw scores on every row. Run once from
this directory: /usr/bin/python3 gen_expected.py > expected.json"""
import json

import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

ROOT = "../../../../shared/datasets"
CASES = [  # dataset, target, task, params
    ("breast_cancer", "label", "clf", {"max_iter": 50}),
    ("wine", "label", "clf", {"max_iter": 30, "max_depth": 3, "l2_regularization": 1.0, "min_samples_leaf": 10}),
    ("diabetes", "target", "reg", {"max_iter": 40, "max_leaf_nodes": 15, "learning_rate": 0.2}),
    ("magic_telescope", "label", "clf", {"max_iter": 20, "max_bins": 64}),
]
out = []
for ds, target, task, params in CASES:
    df = pd.read_csv(f"{ROOT}/{ds}.csv.gz")
    feats = [c for c in df.columns if c != target and pd.api.types.is_numeric_dtype(df[c])]
    X, y = df[feats].values.astype(float), df[target].values.astype(float)
    cls = HistGradientBoostingClassifier if task == "clf" else HistGradientBoostingRegressor
    est = cls(early_stopping=False, random_state=0, **params).fit(X, y)
    raw = est._raw_predict(X)  # (n_trees_per_iteration, n) in 1.2
    raw = raw.T if raw.shape[0] != X.shape[0] else raw
    out.append({"dataset": ds, "target": target, "task": task, "params": params,
                "raw": raw.reshape(X.shape[0], -1)[:2000].tolist()})
print(json.dumps(out))
