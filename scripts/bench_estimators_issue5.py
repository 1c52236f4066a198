#!/usr/bin/python3
"""Issue 5's speed rows: Eddy against scikit-learn, fit time, in one run,
alternating the two (Eddy first on odd rounds, scikit-learn first on even
ones) because the machine is shared. Driven by
scripts/bench_estimators_issue5.sh, which builds EDDY (scripts/benchest).

Cases (same data and settings on both sides; EDDY -case NAME):
  logreg    1,000,000 x 50 peers' dense set, LogisticRegression(C=1, lbfgs,
            max_iter=1000, tol=1e-4) vs logistic_regression (reg_param 1,
            max_iter 1000, tol 1e-4); loss = sum of log losses + ||w||^2/2
  kmeans    1,000,000 x 50 blobs (peers' formula, 50 features), k=10,
            k-means++, n_init=1, max_iter=300, tol=1e-4, lloyd
  kmeans10  the same with n_init=10 (scikit-learn 1.2's default)
  gbt       adult_train numeric columns (6; categoricals dropped on both
            sides), HistGradientBoostingClassifier(max_iter=100,
            max_leaf_nodes=31, learning_rate=0.1, max_bins=255,
            min_samples_leaf=20, l2_regularization=0, early_stopping=False)
  gbt1      the same, scikit-learn's OpenMP limited to 1 thread (its
            spinning barriers collapse when the 2 cores are shared)
  rf        same adult columns, RandomForestClassifier(n_estimators=100,
            gini, max_depth=None, min_samples_split=2, min_samples_leaf=1,
            max_features="sqrt", bootstrap=True, n_jobs=2) vs
            random_forest_classifier with parallelism 2
  rf1       the same with n_jobs=1 / parallelism 1

Prints one JSON line per fit (wall and CPU seconds of the fit alone,
/proc/loadavg before it), then a markdown table of best-of-REPS.

Usage: /usr/bin/python3 scripts/bench_estimators_issue5.py EDDY PEERS ADULT REPS CASE...
"""
import json
import os
import subprocess
import sys
import time

import numpy as np
import pandas as pd


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def blobs50(datagen, n):
    C = ((2 * datagen.unif_range(42, 20, 0, 10 * 50) - 1) * 5).reshape(10, 50)
    X = np.empty((n, 50))
    for r0 in range(0, n, 100_000):
        m = min(100_000, n - r0)
        a = np.minimum(np.floor(datagen.unif_range(42, 21, r0, m) * 10), 9).astype(np.int64)
        X[r0:r0 + m] = C[a] + datagen.ih4_range(42, 22, r0 * 50, m * 50).reshape(m, 50)
    return X


def sk_case(name, data):
    from sklearn.cluster import KMeans
    from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
    from sklearn.linear_model import LogisticRegression

    if name == "logreg":
        X, y = data["dense"]

        def fit():
            m = LogisticRegression(C=1.0, solver="lbfgs", max_iter=1000, tol=1e-4).fit(X, y)
            z = X @ m.coef_[0] + m.intercept_[0]
            loss = float(np.sum(np.logaddexp(0, z) - y * z) + 0.5 * m.coef_[0] @ m.coef_[0])
            return {"iters": int(m.n_iter_[0]), "loss": loss}
        return fit
    if name in ("kmeans", "kmeans10"):
        X = data["blobs"]
        n_init = 10 if name == "kmeans10" else 1

        def fit():
            m = KMeans(n_clusters=10, init="k-means++", n_init=n_init, max_iter=300, tol=1e-4,
                       algorithm="lloyd", random_state=0).fit(X)
            return {"iters": int(m.n_iter_), "inertia": float(m.inertia_)}
        return fit
    X, y = data["adult"]
    if name in ("gbt", "gbt1"):
        def fit():
            if name == "gbt1":
                from threadpoolctl import threadpool_limits
                with threadpool_limits(1, "openmp"):
                    return fit_gbt()
            return fit_gbt()

        def fit_gbt():
            m = HistGradientBoostingClassifier(max_iter=100, max_leaf_nodes=31, learning_rate=0.1, max_bins=255,
                                               min_samples_leaf=20, l2_regularization=0.0,
                                               early_stopping=False, random_state=0).fit(X, y)
            p = np.clip(m.predict_proba(X)[:, 1], 1e-15, 1 - 1e-15)
            return {"iters": int(m.n_iter_), "loss": float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))}
        return fit
    jobs = 1 if name == "rf1" else 2

    def fit():
        RandomForestClassifier(n_estimators=100, criterion="gini", max_depth=None, min_samples_split=2,
                               min_samples_leaf=1, max_features="sqrt", bootstrap=True, n_jobs=jobs,
                               random_state=0).fit(X, y)
        return {}
    return fit


def run_sklearn(name, fit):
    load = loadavg()
    t0, c0 = time.perf_counter(), time.process_time()
    out = fit()
    out.update({"wall_s": time.perf_counter() - t0, "cpu_s": time.process_time() - c0, "loadavg": load})
    return out


def run_eddy(eddy, name, adult):
    p = subprocess.run([eddy, "-case", name, "-reps", "1", "-adult", adult],
                       check=True, capture_output=True, text=True)
    return json.loads(p.stdout.strip().splitlines()[-1])


def main():
    eddy, peers, adult, reps = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    cases = sys.argv[5:]
    sys.path.insert(0, peers)
    import datagen  # noqa: E402
    import sklearn
    from threadpoolctl import threadpool_info

    data = {}
    if "logreg" in cases:
        X, y = datagen.dense_rows(0, 1_000_000)
        data["dense"] = (X, y.astype(float))
    if "kmeans" in cases or "kmeans10" in cases:
        data["blobs"] = blobs50(datagen, 1_000_000)
    if {"gbt", "gbt1", "rf", "rf1"} & set(cases):
        df = pd.read_csv(adult)
        feats = [c for c in df.columns if c != "label" and pd.api.types.is_numeric_dtype(df[c])]
        data["adult"] = (df[feats].values.astype(float), df["label"].values.astype(float))
    pools = [(i.get("internal_api"), i.get("num_threads")) for i in threadpool_info()]
    print(json.dumps({"sklearn": sklearn.__version__, "numpy": np.__version__, "threadpools": pools}), flush=True)

    results = {}
    for name in cases:
        fit = sk_case(name, data)
        for rnd in range(reps):
            order = ["eddy", "sklearn"] if rnd % 2 == 0 else ["sklearn", "eddy"]
            for side in order:
                r = run_eddy(eddy, name, adult) if side == "eddy" else run_sklearn(name, fit)
                r.update({"case": name, "side": side, "round": rnd})
                print(json.dumps(r), flush=True)
                results.setdefault((name, side), []).append(r)

    print()
    print("| case | Eddy best wall s (CPU s) | scikit-learn best wall s (CPU s) | Eddy / scikit-learn | Eddy mean / sklearn mean | iters Eddy / sklearn | loss or inertia Eddy / sklearn | load (1 min) at Eddy / sklearn best |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name in cases:
        e, s = results[(name, "eddy")], results[(name, "sklearn")]
        be, bs = min(e, key=lambda r: r["wall_s"]), min(s, key=lambda r: r["wall_s"])
        me = sum(r["wall_s"] for r in e) / len(e)
        ms = sum(r["wall_s"] for r in s) / len(s)
        it = f"{be.get('iters', '-')} / {bs.get('iters', '-')}"
        key = "inertia" if "inertia" in bs else "loss"
        lo = f"{be[key]:.8g} / {bs[key]:.8g}" if key in bs and key in be else "-"
        print(f"| {name} | {be['wall_s']:.3f} ({be['cpu_s']:.2f}) | {bs['wall_s']:.3f} ({bs['cpu_s']:.2f}) | "
              f"{be['wall_s'] / bs['wall_s']:.2f} | {me / ms:.2f} | {it} | {lo} | "
              f"{be['loadavg'].split()[0]} / {bs['loadavg'].split()[0]} |")


if __name__ == "__main__":
    main()
