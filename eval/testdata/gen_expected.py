#!/usr/bin/python3
"""Generates expected.json.gz: inputs and scikit-learn outputs for the eval
tests. Run once with Debian's python3 (scikit-learn 1.2.1) from this
directory: /usr/bin/python3 gen_expected.py"""
import gzip, json
import numpy as np
import pandas as pd
from sklearn import metrics
from sklearn.cluster import KMeans
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.preprocessing import StandardScaler

DS = "../../../shared/datasets/"
rng = np.random.RandomState(0)
cases = []


def binary_case(name, y, s, w):
    pred = (s >= 0.5).astype(float)
    c = {"name": name, "kind": "binary", "y": y.tolist(), "score": s.tolist(),
         "w": None if w is None else w.tolist()}
    kw = {} if w is None else {"sample_weight": w}
    p, r, f, _ = metrics.precision_recall_fscore_support(y, pred, average="binary", zero_division=0, **kw)
    c["expected"] = {
        "auc": metrics.roc_auc_score(y, s, **kw),
        "log_loss": metrics.log_loss(y, s, **kw),
        "accuracy": metrics.accuracy_score(y, pred, **kw),
        "precision": p, "recall": r, "f1": f,
        "confusion": metrics.confusion_matrix(y, pred, **kw).astype(float).tolist(),
    }
    cases.append(c)


# synthetic scores rounded to one decimal: many ties
y = (rng.rand(300) < 0.4).astype(float)
s = np.round(np.clip(0.3 * y + rng.rand(300) * 0.7, 0, 1), 1)
wts = rng.rand(300) * 2
binary_case("synthetic_ties", y, s, None)
binary_case("synthetic_ties_weighted", y, s, wts)

# breast cancer, probabilities of a fitted model rounded to 3 decimals
bc = pd.read_csv(DS + "breast_cancer.csv.gz")
X, yb = bc.drop(columns="label").values, bc["label"].values.astype(float)
Xs = StandardScaler().fit_transform(X)
pb = np.round(LogisticRegression(C=0.05, max_iter=1000).fit(Xs, yb).predict_proba(Xs)[:, 1], 3)
binary_case("breast_cancer", yb, pb, None)

# multiclass on wine with a weak model (2 features)
wine = pd.read_csv(DS + "wine.csv.gz")
Xw, yw = wine.drop(columns="label").values[:, :2], wine["label"].values.astype(float)
m = LogisticRegression(max_iter=1000).fit(StandardScaler().fit_transform(Xw), yw)
pw = m.predict_proba(StandardScaler().fit_transform(Xw))
predw = m.classes_[pw.argmax(axis=1)]
ww = rng.rand(len(yw))
for name, w in (("wine", None), ("wine_weighted", ww)):
    kw = {} if w is None else {"sample_weight": w}
    e = {"accuracy": metrics.accuracy_score(yw, predw, **kw),
         "log_loss": metrics.log_loss(yw, pw, **kw),
         "confusion": metrics.confusion_matrix(yw, predw, **kw).astype(float).tolist()}
    for avg in ("macro", "weighted"):
        p, r, f, _ = metrics.precision_recall_fscore_support(yw, predw, average=avg, zero_division=0, **kw)
        e[avg] = [p, r, f]
    cases.append({"name": name, "kind": "multiclass", "y": yw.tolist(), "pred": predw.tolist(),
                  "prob": pw.ravel().tolist(), "k": 3, "w": None if w is None else w.tolist(), "expected": e})

# regression on diabetes
db = pd.read_csv(DS + "diabetes.csv.gz")
Xd, yd = db.drop(columns="target").values, db["target"].values.astype(float)
pd_ = LinearRegression().fit(Xd[:, :3], yd).predict(Xd[:, :3])
wd = rng.rand(len(yd))
for name, w in (("diabetes", None), ("diabetes_weighted", wd)):
    kw = {} if w is None else {"sample_weight": w}
    mse = metrics.mean_squared_error(yd, pd_, **kw)
    cases.append({"name": name, "kind": "regression", "y": yd.tolist(), "pred": pd_.tolist(),
                  "w": None if w is None else w.tolist(),
                  "expected": {"mse": mse, "rmse": float(np.sqrt(mse)),
                               "mae": metrics.mean_absolute_error(yd, pd_, **kw),
                               "r2": metrics.r2_score(yd, pd_, **kw),
                               "explained_variance": metrics.explained_variance_score(yd, pd_, **kw)}})

# inertia on iris
iris = pd.read_csv(DS + "iris.csv.gz")
Xi = iris.drop(columns="label").values
km = KMeans(n_clusters=3, n_init=10, random_state=0).fit(Xi)
cases.append({"name": "iris_kmeans", "kind": "inertia", "x": Xi.ravel().tolist(), "dim": 4,
              "centers": km.cluster_centers_.ravel().tolist(), "expected": {"inertia": float(km.inertia_)}})

with gzip.GzipFile("expected.json.gz", "wb", mtime=0) as f:
    f.write(json.dumps(cases).encode())
