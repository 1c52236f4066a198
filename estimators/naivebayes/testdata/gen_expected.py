#!/usr/bin/python3
"""scikit-learn reference for estimators/naivebayes (run once from this
directory with Debian's /usr/bin/python3):

  /usr/bin/python3 gen_expected.py | gzip > expected.json.gz

Every case fits on a whole shared dataset (numeric columns) and records
the fitted parameters, the joint log likelihood and probabilities of
every row, and the predictions."""
import json
import os
import sys

import numpy as np
import pandas as pd
from sklearn.naive_bayes import BernoulliNB, GaussianNB, MultinomialNB

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../../shared/datasets")


def numeric(name):
    df = pd.read_csv(f"{ROOT}/{name}.csv.gz")
    X = df[[c for c in df.columns if c != "label"]].values.astype(float)
    return X, df["label"].values.astype(float)


def std(X):
    s = X.std(axis=0)
    s[s < 10 * np.finfo(float).eps] = 1
    return (X - X.mean(axis=0)) / s


cases = []
for ds in ["iris", "wine", "breast_cancer"]:
    X, y = numeric(ds)
    w = 1.0 + (np.arange(len(y)) % 3)
    cases += [
        ("gaussian_nb", ds, False, {}, GaussianNB(), X, y, None),
        ("gaussian_nb", ds, False, {"var_smoothing": 1e-3}, GaussianNB(var_smoothing=1e-3), X, y, w),
        ("multinomial_nb", ds, False, {}, MultinomialNB(), X, y, None),
        ("multinomial_nb", ds, False, {"alpha": 0.5, "fit_prior": False}, MultinomialNB(alpha=0.5, fit_prior=False), X, y, w),
        ("bernoulli_nb", ds, True, {}, BernoulliNB(), std(X), y, None),
        ("bernoulli_nb", ds, True, {"alpha": 2.0, "binarize": 0.5}, BernoulliNB(alpha=2.0, binarize=0.5), std(X), y, w),
    ]
out = []
for kind, ds, standardize, params, est, X, y, w in cases:
    est.fit(X, y, sample_weight=w)
    if kind == "gaussian_nb":
        prior, theta, var = np.log(est.class_prior_), est.theta_, est.var_
    else:
        prior, theta, var = est.class_log_prior_, est.feature_log_prob_, None
    out.append({"kind": kind, "dataset": ds, "standardize": standardize, "params": params, "weighted": w is not None,
                "log_prior": prior.tolist(), "theta": theta.tolist(), "var": None if var is None else var.tolist(),
                "jll": est.predict_joint_log_proba(X).tolist() if hasattr(est, "predict_joint_log_proba") else est._joint_log_likelihood(X).tolist(),
                "proba": est.predict_proba(X).tolist(), "pred": est.predict(X).tolist()})
json.dump(out, sys.stdout)
