#!/usr/bin/python3
"""scikit-learn side of the tree accuracy table (issue 5). For each shared
dataset: the numeric columns, the deterministic 75/25 split of
estimators/internal/esttest.InTrain (seed 42), then DecisionTree*,
RandomForest* and HistGradientBoosting* with the settings that
estimators/internal/accuracy/trees_test.go gives Eddy's decision_tree_*,
random_forest_* and gbt_*. Metrics of the random estimators are means
over seeds (SEEDS). Prints JSON lines on stdout.

Usage: /usr/bin/python3 scripts/accuracy_trees.py [--small] [DATASET_DIR]
"""
import json
import sys
import time

import numpy as np
import pandas as pd
from sklearn import metrics
from sklearn.ensemble import (HistGradientBoostingClassifier, HistGradientBoostingRegressor,
                              RandomForestClassifier, RandomForestRegressor)
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

M64 = (1 << 64) - 1


def mix64(z):
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    return z ^ (z >> 31)


def in_train(seed, i):
    h = mix64(((seed << 32) + i + 0x9E3779B97F4A7C15) & M64)
    return (h >> 11) / float(1 << 53) < 0.75


DATASETS = [  # name, file, target, task, small
    ("iris", "iris", "label", "multiclass", True),
    ("wine", "wine", "label", "multiclass", True),
    ("breast_cancer", "breast_cancer", "label", "binary", True),
    ("adult (numeric)", "adult_train", "label", "binary", False),
    ("magic_telescope", "magic_telescope", "label", "binary", False),
    ("elec2", "elec2", "label", "binary", False),
    ("diabetes", "diabetes", "target", "regression", True),
    ("nyc_taxis (numeric)", "nyc_taxis", "target", "regression", False),
]

# model -> (seeds, classifier factory, regressor factory); keep in step with
# trees_test.go.
MODELS = {
    "decision_tree": (range(20), lambda s: DecisionTreeClassifier(random_state=s),
                      lambda s: DecisionTreeRegressor(random_state=s)),
    "random_forest": (range(3), lambda s: RandomForestClassifier(n_estimators=100, random_state=s, n_jobs=2),
                      lambda s: RandomForestRegressor(n_estimators=100, random_state=s, n_jobs=2)),
    "gbt": (range(1), lambda s: HistGradientBoostingClassifier(max_iter=100, early_stopping=False, random_state=s),
            lambda s: HistGradientBoostingRegressor(max_iter=100, early_stopping=False, random_state=s)),
}


def scores(task, model, Xt, yt):
    if task == "regression":
        p = model.predict(Xt)
        return [("rmse", float(np.sqrt(metrics.mean_squared_error(yt, p)))), ("r2", metrics.r2_score(yt, p))]
    proba = model.predict_proba(Xt)
    pred = model.classes_[proba.argmax(axis=1)]
    out = [("accuracy", metrics.accuracy_score(yt, pred))]
    if task == "binary":
        out.append(("auc", metrics.roc_auc_score(yt, proba[:, 1])))
    else:
        out.append(("macro_f1", metrics.f1_score(yt, pred, average="macro")))
    return out


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    small = "--small" in sys.argv
    root = args[0] if args else "../shared/datasets"
    for name, file, target, task, is_small in DATASETS:
        if small and not is_small:
            continue
        df = pd.read_csv(f"{root}/{file}.csv.gz")
        feats = [c for c in df.columns if c != target and pd.api.types.is_numeric_dtype(df[c])]
        X, y = df[feats].values.astype(float), df[target].values.astype(float)
        mask = np.array([in_train(42, i) for i in range(len(y))])
        for mname, (seeds, clf, reg) in MODELS.items():
            sums, fit_s = {}, 0.0
            for s in seeds:
                model = reg(s) if task == "regression" else clf(s)
                t0 = time.perf_counter()
                model.fit(X[mask], y[mask])
                fit_s += time.perf_counter() - t0
                for metric, v in scores(task, model, X[~mask], y[~mask]):
                    sums[metric] = sums.get(metric, 0.0) + float(v)
            for metric, v in sums.items():
                print(json.dumps({"model": mname, "dataset": name, "metric": metric, "value": v / len(seeds),
                                  "fit_s": fit_s / len(seeds)}), flush=True)


if __name__ == "__main__":
    main()
