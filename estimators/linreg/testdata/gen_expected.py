#!/usr/bin/python3
"""Generates expected.json: scikit-learn 1.2.1 linear models on diabetes
(unscaled features for OLS, standardized for the penalised fits). Run once
from this directory: /usr/bin/python3 gen_expected.py"""
import json
import numpy as np
import pandas as pd
from sklearn.linear_model import ElasticNet, Lasso, LinearRegression, Ridge
from sklearn.preprocessing import StandardScaler

df = pd.read_csv("../../../../shared/datasets/diabetes.csv.gz")
X, y = df.drop(columns="target").values, df["target"].values.astype(float)
Xs = StandardScaler().fit_transform(X)
n = len(y)
sw = 1.0 + (np.arange(n) % 3)
out = []
def add(case, model, standardized, reg, rho, weighted=False, fit_intercept=True):
    Xu = Xs if standardized else X
    model.fit(Xu, y, sample_weight=sw if weighted else None)
    out.append({"case": case, "standardized": standardized, "reg_param": reg, "elastic_net_param": rho,
                "weighted": weighted, "fit_intercept": fit_intercept,
                "coef": model.coef_.tolist(), "intercept": float(model.intercept_)})
add("ols", LinearRegression(), False, 0, 0)
add("ols_weighted", LinearRegression(), False, 0, 0, weighted=True)
add("ols_no_intercept", LinearRegression(fit_intercept=False), False, 0, 0, fit_intercept=False)
add("ridge", Ridge(alpha=0.5 * n), True, 0.5, 0)
add("lasso", Lasso(alpha=1.0, tol=1e-10, max_iter=100000), True, 1.0, 1)
add("elastic_net", ElasticNet(alpha=0.5, l1_ratio=0.3, tol=1e-10, max_iter=100000), True, 0.5, 0.3)
add("elastic_net_weighted", ElasticNet(alpha=0.2, l1_ratio=0.7, tol=1e-10, max_iter=100000), True, 0.2, 0.7, weighted=True)
with open("expected.json", "w") as f:
    json.dump(out, f, indent=0)
