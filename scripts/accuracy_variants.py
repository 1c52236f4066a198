#!/usr/bin/python3
"""scikit-learn side of the estimator-variants accuracy table (issue 5):
MultinomialNB on min-max scaled features, Ridge / Lasso / ElasticNet, and
LogisticRegression with L1 and elastic-net penalties, class weights and
sample weights, each on the shared datasets with the split of
scripts/accuracy_vs_sklearn.py. JSON lines on stdout.

Settings (Eddy's param on the right, as
estimators/internal/accuracy/variants_test.go sets them):
  multinomial_nb        MinMaxScaler + MultinomialNB(alpha=1)          alpha 1
  ridge                 Ridge(alpha=1)        reg_param 1/n, elastic_net_param 0
  lasso                 Lasso(alpha=1)        reg_param 1, elastic_net_param 1
  elastic_net           ElasticNet(alpha=1, l1_ratio=0.5)  reg_param 1, elastic_net_param 0.5
  logreg_l1             LogisticRegression(penalty="l1", solver="saga", C=1/(0.01 n))
                                              reg_param 0.01 n, elastic_net_param 1
  logreg_elastic_net    ... penalty="elasticnet", l1_ratio=0.5       elastic_net_param 0.5
  logreg_balanced       LogisticRegression(class_weight="balanced")  class_weight balanced
  logreg_class_weights  class_weight {c_k: 1 + k}                     class_weights [1, 2, ...]
  logreg_sample_weight  fit(sample_weight = 1 + (row index mod 3))    weight_col
n is the number of training rows. Eddy's linear regression minimises
scikit-learn's ElasticNet objective (loss averaged over rows, 1/(2n)),
whereas Ridge sums the loss: Ridge(alpha) is reg_param alpha/n. Eddy's
logistic loss is summed, so reg_param is 1/C; 0.01 n is a penalty of 0.01
per row, with which L1 zeroes coefficients on every set. scikit-learn's
lbfgs and saga leave the intercept unpenalised, as Eddy (liblinear
penalises it, so it is not used). Features are standardised (StandardScaler)
except for multinomial_nb. --small keeps iris, wine, breast_cancer and
diabetes whole and one row in len // SMALL_ROWS of the other sets (some are
sorted by class, so not the first rows).

Usage: /usr/bin/python3 scripts/accuracy_variants.py [--small] [DATASET_DIR]
"""
import json
import os
import sys
import time

import numpy as np
import pandas as pd
from sklearn import metrics
from sklearn.linear_model import ElasticNet, Lasso, LogisticRegression, Ridge
from sklearn.naive_bayes import MultinomialNB
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from accuracy_vs_sklearn import DATASETS, in_train  # noqa: E402

SMALL_ROWS = 3000
PER_ROW_PENALTY = 0.01
EPS = "auto"  # float64's machine epsilon, as eval.LogLossEps
# saga is stochastic and stops on the relative change of the weights: a
# tight tol so that it reaches the optimum Eddy's OWL-QN solves exactly.
SAGA = dict(solver="saga", tol=1e-6, max_iter=20000, random_state=0)


def classifiers(n, classes):
    c = 1.0 / (PER_ROW_PENALTY * n)
    return [
        ("multinomial_nb", MinMaxScaler, lambda: MultinomialNB(alpha=1.0), False),
        ("logreg_l1", StandardScaler, lambda: LogisticRegression(penalty="l1", C=c, **SAGA), False),
        ("logreg_elastic_net", StandardScaler,
         lambda: LogisticRegression(penalty="elasticnet", l1_ratio=0.5, C=c, **SAGA), False),
        ("logreg_balanced", StandardScaler, lambda: LogisticRegression(class_weight="balanced", max_iter=1000), False),
        ("logreg_class_weights", StandardScaler,
         lambda: LogisticRegression(class_weight={k: 1.0 + i for i, k in enumerate(classes)}, max_iter=1000), False),
        ("logreg_sample_weight", StandardScaler, lambda: LogisticRegression(max_iter=1000), True),
    ]


def regressors():
    return [
        ("ridge", lambda: Ridge(alpha=1.0)),
        ("lasso", lambda: Lasso(alpha=1.0)),
        ("elastic_net", lambda: ElasticNet(alpha=1.0, l1_ratio=0.5)),
    ]


def emit(**kw):
    print(json.dumps(kw), flush=True)


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    small = "--small" in sys.argv
    root = args[0] if args else "../shared/datasets"
    for name, file, target, task, is_small in DATASETS:
        df = pd.read_csv(f"{root}/{file}.csv.gz")
        if small and not is_small:
            step = max(1, len(df) // SMALL_ROWS)
            df = df.iloc[::step].reset_index(drop=True)
            name = f"{name}, 1 row in {step}"
        feats = [c for c in df.columns if c != target and pd.api.types.is_numeric_dtype(df[c])]
        X, y = df[feats].values.astype(float), df[target].values.astype(float)
        idx = np.arange(len(y))
        mask = np.array([in_train(42, i) for i in range(len(y))])
        sw = 1.0 + (idx % 3)  # deterministic sample weights 1, 2, 3
        Xt, yt = X[~mask], y[~mask]
        n = int(mask.sum())
        if task == "regression":
            for est_name, make in regressors():
                model = make_pipeline(StandardScaler(), make())
                t0 = time.perf_counter()
                model.fit(X[mask], y[mask])
                fit_s = time.perf_counter() - t0
                p = model.predict(Xt)
                for metric, v in [("rmse", np.sqrt(metrics.mean_squared_error(yt, p))), ("r2", metrics.r2_score(yt, p))]:
                    emit(estimator=est_name, dataset=name, metric=metric, value=float(v), fit_s=fit_s)
            continue
        classes = np.unique(y[mask])
        for est_name, scaler, make, weighted in classifiers(n, classes):
            model = make_pipeline(scaler(), make())
            kw = {model.steps[-1][0] + "__sample_weight": sw[mask]} if weighted else {}
            t0 = time.perf_counter()
            model.fit(X[mask], y[mask], **kw)
            fit_s = time.perf_counter() - t0
            proba = model.predict_proba(Xt)
            pred = model.classes_[proba.argmax(axis=1)]
            out = [("accuracy", metrics.accuracy_score(yt, pred))]
            if task == "binary":
                out += [("auc", metrics.roc_auc_score(yt, proba[:, 1])), ("log_loss", metrics.log_loss(yt, proba[:, 1], eps=EPS))]
            else:
                out += [("macro_f1", metrics.f1_score(yt, pred, average="macro")),
                        ("log_loss", metrics.log_loss(yt, proba, labels=model.classes_, eps=EPS))]
            for metric, v in out:
                emit(estimator=est_name, dataset=name, metric=metric, value=float(v), fit_s=fit_s)


if __name__ == "__main__":
    main()
