"""Expected outputs of scikit-learn's PassiveAggressiveClassifier and
PassiveAggressiveRegressor partial_fit, row by row, without intercept (the
only setting where sklearn's step equals Eddy's: sklearn leaves the
intercept out of ||x||²). Run once with Debian's /usr/bin/python3:

  /usr/bin/python3 online/pa/testdata/gen_expected.py

Classifier: first 3000 rows of drift_sea_abrupt, x1..x3 / 10, label 0/1.
Regressor: diabetes (442 rows, 10 features, target / 100).
For each: the margin/prediction of every row before learning it (prequential)
and the final coefficients.
"""
import gzip
import json
import os

import numpy as np
import pandas as pd
from sklearn.linear_model import PassiveAggressiveClassifier, PassiveAggressiveRegressor

here = os.path.dirname(os.path.abspath(__file__))
data = os.path.join(here, "..", "..", "..", "..", "shared", "datasets")
out = {}

sea = pd.read_csv(os.path.join(data, "drift_sea_abrupt.csv.gz")).head(3000)
X = sea[["x1", "x2", "x3"]].to_numpy() / 10.0
y = sea["label"].to_numpy()
for variant, loss in (("pa1", "hinge"), ("pa2", "squared_hinge")):
    clf = PassiveAggressiveClassifier(C=0.5, fit_intercept=False, loss=loss, random_state=0)
    m = []
    for i in range(len(y)):
        m.append(float(clf.decision_function(X[i:i + 1])[0]) if i else 0.0)
        clf.partial_fit(X[i:i + 1], y[i:i + 1], classes=[0, 1])
    out["classifier_" + variant] = {"margins": m, "coef": clf.coef_[0].tolist()}

dia = pd.read_csv(os.path.join(data, "diabetes.csv.gz"))
X = dia.drop(columns=["target"]).to_numpy()
y = dia["target"].to_numpy() / 100.0
for variant, loss in (("pa1", "epsilon_insensitive"), ("pa2", "squared_epsilon_insensitive")):
    reg = PassiveAggressiveRegressor(C=0.5, epsilon=0.1, fit_intercept=False, loss=loss, random_state=0)
    p = []
    for i in range(len(y)):
        p.append(float(reg.predict(X[i:i + 1])[0]) if i else 0.0)
        reg.partial_fit(X[i:i + 1], y[i:i + 1])
    out["regressor_" + variant] = {"predictions": p, "coef": reg.coef_.tolist()}

with gzip.open(os.path.join(here, "sklearn_pa.json.gz"), "wt") as f:
    json.dump(out, f)
