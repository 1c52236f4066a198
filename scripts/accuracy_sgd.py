#!/usr/bin/python3
"""scikit-learn side of the SGD logistic regression accuracy table (issue
5): SGDClassifier(loss="log_loss", alpha=1e-4, max_iter=1000, tol=1e-3)
after a StandardScaler, on the shared classification datasets with the
split of scripts/accuracy_vs_sklearn.py; each held-out metric is the mean
over random_state 0..seeds-1, seeds 100 on the small sets (iris, wine,
breast_cancer: one run's accuracy varies by a few test rows) and 20 on
the others (SGD's shuffling order differs from Eddy's generator, so single
runs are compared as averages). JSON lines on stdout
in the format of scripts/accuracy_misc.py.

Usage: /usr/bin/python3 scripts/accuracy_sgd.py [--small] [DATASET_DIR]
"""
import json
import os
import sys
import time

import numpy as np
import pandas as pd
from sklearn import metrics
from sklearn.linear_model import SGDClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from accuracy_vs_sklearn import DATASETS, in_train  # noqa: E402

SEEDS_SMALL, SEEDS_LARGE = 100, 20
ALPHA = 1e-4
EPS = "auto"


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    small = "--small" in sys.argv
    root = args[0] if args else "../shared/datasets"
    for name, file, target, task, is_small in DATASETS:
        if task == "regression" or (small and not is_small):
            continue
        df = pd.read_csv(f"{root}/{file}.csv.gz")
        feats = [c for c in df.columns if c != target and pd.api.types.is_numeric_dtype(df[c])]
        X, y = df[feats].values.astype(float), df[target].values.astype(float)
        mask = np.array([in_train(42, i) for i in range(len(y))])
        Xt, yt = X[~mask], y[~mask]
        sums, fit_s = {}, 0.0
        seeds = SEEDS_SMALL if is_small else SEEDS_LARGE
        for seed in range(seeds):
            model = make_pipeline(StandardScaler(), SGDClassifier(loss="log_loss", alpha=ALPHA, max_iter=1000, tol=1e-3, random_state=seed))
            t0 = time.perf_counter()
            model.fit(X[mask], y[mask])
            fit_s += time.perf_counter() - t0
            proba = model.predict_proba(Xt)
            pred = model.classes_[proba.argmax(axis=1)]
            out = [("accuracy", metrics.accuracy_score(yt, pred))]
            if task == "binary":
                out += [("auc", metrics.roc_auc_score(yt, proba[:, 1])), ("log_loss", metrics.log_loss(yt, proba[:, 1], eps=EPS))]
            else:
                out += [("macro_f1", metrics.f1_score(yt, pred, average="macro")),
                        ("log_loss", metrics.log_loss(yt, proba, labels=model.classes_, eps=EPS))]
            for metric, v in out:
                sums[metric] = sums.get(metric, 0.0) + float(v)
        for metric, v in sums.items():
            print(json.dumps(dict(estimator="sgd_logistic_regression", dataset=name, metric=metric,
                                  value=v / seeds, fit_s=fit_s / seeds)), flush=True)


if __name__ == "__main__":
    main()
