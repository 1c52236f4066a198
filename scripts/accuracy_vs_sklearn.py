#!/usr/bin/python3
"""scikit-learn side of the accuracy table (issue 5). For each shared
dataset: the numeric columns, the deterministic 75/25 split of
estimators/internal/esttest.InTrain (seed 42), StandardScaler + the
estimator, held-out metrics as JSON lines on stdout.

Usage: /usr/bin/python3 scripts/accuracy_vs_sklearn.py [--small] [DATASET_DIR]
"""
import json
import sys
import time

import numpy as np
import pandas as pd
from sklearn import metrics
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

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
        if task == "regression":
            est = LinearRegression()
        else:
            est = LogisticRegression(max_iter=1000)
        model = make_pipeline(StandardScaler(), est)
        t0 = time.perf_counter()
        model.fit(X[mask], y[mask])
        fit_s = time.perf_counter() - t0
        Xt, yt = X[~mask], y[~mask]
        out = []
        if task == "regression":
            p = model.predict(Xt)
            out = [("rmse", float(np.sqrt(metrics.mean_squared_error(yt, p)))), ("r2", metrics.r2_score(yt, p))]
        else:
            proba = model.predict_proba(Xt)
            pred = model.classes_[proba.argmax(axis=1)]
            out = [("accuracy", metrics.accuracy_score(yt, pred))]
            if task == "binary":
                out += [("auc", metrics.roc_auc_score(yt, proba[:, 1])), ("log_loss", metrics.log_loss(yt, proba[:, 1]))]
            else:
                out += [("macro_f1", metrics.f1_score(yt, pred, average="macro")),
                        ("log_loss", metrics.log_loss(yt, proba, labels=model.classes_))]
        for metric, v in out:
            print(json.dumps({"dataset": name, "metric": metric, "value": float(v), "fit_s": fit_s}))


if __name__ == "__main__":
    main()
