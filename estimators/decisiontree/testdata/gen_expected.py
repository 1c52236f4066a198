#!/usr/bin/python3
"""Expected outputs of scikit-learn's DecisionTreeClassifier/Regressor for
decisiontree_test.go: fitted on every row of a shared dataset (numeric
columns), predictions on every row. Run once from this directory:
/usr/bin/python3 gen_expected.py > expected.json"""
import json

import pandas as pd
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

ROOT = "../../../../shared/datasets"
CASES = [  # dataset, target, task, params
    ("breast_cancer", "label", "clf", {"max_depth": 4}),
    ("breast_cancer", "label", "clf", {"max_depth": 3, "criterion": "entropy", "min_samples_leaf": 3}),
    ("wine", "label", "clf", {"max_depth": 3, "min_samples_split": 10}),
    ("diabetes", "target", "reg", {"max_depth": 4, "min_samples_leaf": 5}),
    ("diabetes", "target", "reg", {"max_depth": 6, "min_impurity_decrease": 50.0}),
]
out = []
for ds, target, task, params in CASES:
    df = pd.read_csv(f"{ROOT}/{ds}.csv.gz")
    feats = [c for c in df.columns if c != target and pd.api.types.is_numeric_dtype(df[c])]
    X, y = df[feats].values.astype(float), df[target].values.astype(float)
    est = (DecisionTreeClassifier if task == "clf" else DecisionTreeRegressor)(random_state=0, **params).fit(X, y)
    case = {"dataset": ds, "target": target, "task": task, "params": params,
            "n_leaves": int(est.get_n_leaves()), "depth": int(est.get_depth()),
            "importances": est.feature_importances_.tolist()}
    if task == "clf":
        case["proba"] = est.predict_proba(X).tolist()
    else:
        case["pred"] = est.predict(X).tolist()
    out.append(case)
print(json.dumps(out))
