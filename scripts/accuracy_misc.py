#!/usr/bin/python3
"""scikit-learn side of the misc-estimators accuracy table (issue 5):
naive Bayes (and later the other classifiers of estimators/{linearsvc,
knn...}) on the shared classification datasets with the split and
StandardScaler of scripts/accuracy_vs_sklearn.py, and k-means inertia on
iris and the peers' blobs, Gaussian mixture lower bound and bisecting
k-means inertia, and isotonic regression RMSE on diabetes. JSON lines on
stdout.

Usage: /usr/bin/python3 scripts/accuracy_misc.py [--small] [DATASET_DIR [PEERS_DIR]]
"""
import json
import os
import sys
import time

import numpy as np
import pandas as pd
from sklearn import metrics
from sklearn.cluster import BisectingKMeans, KMeans, MiniBatchKMeans
from sklearn.isotonic import IsotonicRegression
from sklearn.mixture import GaussianMixture
from sklearn.naive_bayes import BernoulliNB, GaussianNB
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from accuracy_vs_sklearn import DATASETS, in_train  # noqa: E402

CLASSIFIERS = [
    ("gaussian_nb", lambda: GaussianNB()),
    ("bernoulli_nb", lambda: BernoulliNB()),
    ("linear_svc", lambda: LinearSVC()),  # no predict_proba: no log loss, AUC from the margin
    ("knn_classifier", lambda: KNeighborsClassifier()),
]
BLOB_ROWS = 20000
# Log loss clips probabilities to [EPS, 1-EPS]: scikit-learn 1.2's default
# eps="auto" (float64's machine epsilon), which eval.LogLossEps matches. It
# matters only for hard 0/1 probabilities (k-NN), where a wrong row costs
# -log(2^-52) = 36.04.
EPS = "auto"


def emit(**kw):
    print(json.dumps(kw), flush=True)


def blobs(peers, n, seed=42):
    sys.path.insert(0, peers)
    import datagen
    C = datagen.blob_centers(seed)
    a = np.minimum(np.floor(datagen.unif_range(seed, 21, 0, n) * 10), 9).astype(int)
    return C[a] + datagen.ih4_range(seed, 22, 0, n * 20).reshape(n, 20)


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    small = "--small" in sys.argv
    root = args[0] if len(args) > 0 else "../shared/datasets"
    peers = args[1] if len(args) > 1 else os.path.join(os.path.dirname(root.rstrip("/")), "peers")
    for name, file, target, task, is_small in DATASETS:
        if task == "regression" or (small and not is_small):
            continue
        df = pd.read_csv(f"{root}/{file}.csv.gz")
        feats = [c for c in df.columns if c != target and pd.api.types.is_numeric_dtype(df[c])]
        X, y = df[feats].values.astype(float), df[target].values.astype(float)
        mask = np.array([in_train(42, i) for i in range(len(y))])
        for est_name, make in CLASSIFIERS:
            model = make_pipeline(StandardScaler(), make())
            t0 = time.perf_counter()
            model.fit(X[mask], y[mask])
            fit_s = time.perf_counter() - t0
            Xt, yt = X[~mask], y[~mask]
            if est_name == "linear_svc":
                pred = model.predict(Xt)
                out = [("accuracy", metrics.accuracy_score(yt, pred))]
                if task == "binary":
                    out.append(("auc", metrics.roc_auc_score(yt, model.decision_function(Xt))))
                else:
                    out.append(("macro_f1", metrics.f1_score(yt, pred, average="macro")))
                for metric, v in out:
                    emit(estimator=est_name, dataset=name, metric=metric, value=float(v), fit_s=fit_s)
                continue
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
    # Clustering: inertia on all rows, best of n_init restarts.
    iris = pd.read_csv(f"{root}/iris.csv.gz")
    sets = [("iris", iris[[c for c in iris.columns if c != "label"]].values.astype(float), 3),
            (f"blobs ({BLOB_ROWS} rows)", blobs(peers, BLOB_ROWS), 10)]
    for name, X, k in sets:
        for est_name, est in [("kmeans", KMeans(n_clusters=k, n_init=10, random_state=0)),
                              ("mini_batch_kmeans", MiniBatchKMeans(n_clusters=k, n_init=3, random_state=0))]:
            t0 = time.perf_counter()
            est.fit(X)
            emit(estimator=est_name, dataset=name, metric="inertia", value=float(est.inertia_), fit_s=time.perf_counter() - t0)

    # Gaussian mixture (full, n_init 5; blobs 1) and bisecting k-means
    # (n_init 5 per split), random_state 0, on all rows.
    wine = pd.read_csv(f"{root}/wine.csv.gz")
    wine_x = StandardScaler().fit_transform(wine[[c for c in wine.columns if c != "label"]].values.astype(float))
    sets = [("iris", sets[0][1], 3, 5, True), ("wine (standardised)", wine_x, 3, 5, False),
            (sets[1][0], sets[1][1], 10, 1, True)]
    for name, X, k, n_init, bisecting in sets:
        t0 = time.perf_counter()
        gm = GaussianMixture(n_components=k, n_init=n_init, random_state=0).fit(X)
        emit(estimator="gaussian_mixture", dataset=name, metric="lower_bound", value=float(gm.lower_bound_), fit_s=time.perf_counter() - t0)
        if bisecting:
            t0 = time.perf_counter()
            bk = BisectingKMeans(n_clusters=k, n_init=5, random_state=0).fit(X)
            emit(estimator="bisecting_kmeans", dataset=name, metric="inertia", value=float(bk.inertia_), fit_s=time.perf_counter() - t0)
    # Isotonic regression of the diabetes target on bmi: train split,
    # held-out RMSE.
    df = pd.read_csv(f"{root}/diabetes.csv.gz")
    x, y = df["bmi"].values.astype(float), df["target"].values.astype(float)
    mask = np.array([in_train(42, i) for i in range(len(y))])
    t0 = time.perf_counter()
    iso = IsotonicRegression(out_of_bounds="clip").fit(x[mask], y[mask])
    fit_s = time.perf_counter() - t0
    rmse = float(np.sqrt(metrics.mean_squared_error(y[~mask], iso.predict(x[~mask]))))
    emit(estimator="isotonic_regression", dataset="diabetes (bmi)", metric="rmse", value=rmse, fit_s=fit_s)


if __name__ == "__main__":
    main()
