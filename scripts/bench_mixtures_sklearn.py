#!/usr/bin/python3
"""scikit-learn side of the Go benchmarks of estimators/{gaussianmixture,
bisectingkmeans,isotonicregression} (same rows, same settings): prints the
fit time of each (best of 3) and rows/s.

Usage: /usr/bin/python3 scripts/bench_mixtures_sklearn.py [PEERS_DIR]"""
import os
import sys
import time

import numpy as np
from sklearn.cluster import BisectingKMeans
from sklearn.isotonic import IsotonicRegression
from sklearn.mixture import GaussianMixture

peers = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "../../shared/peers")
sys.path.insert(0, peers)
import datagen  # noqa: E402


def blobs(n, seed=42):
    C = datagen.blob_centers(seed)
    a = np.minimum(np.floor(datagen.unif_range(seed, 21, 0, n) * 10), 9).astype(int)
    return C[a] + datagen.ih4_range(seed, 22, 0, n * 20).reshape(n, 20)


def lcg_rows(n):
    """BenchmarkFit's rows of estimators/isotonicregression."""
    mask = (1 << 64) - 1
    x, y = np.empty(n), np.empty(n)
    s = 1
    for i in range(n):
        s = (s * 6364136223846793005 + 1442695040888963407) & mask
        x[i] = ((s >> 33) % 100_000) / 100
        y[i] = np.log1p(x[i]) + ((s >> 20) % 1000) / 1000 - 0.5
    return x, y


def bench(name, n, fit):
    best = min(timeit(fit) for _ in range(3))
    print(f"{name}: {best:.3f} s, {n / best:,.0f} rows/s")


def timeit(f):
    t0 = time.perf_counter()
    f()
    return time.perf_counter() - t0


X = blobs(100_000)
bench("GaussianMixture(k=10, full) 100k blobs", len(X), lambda: GaussianMixture(10, covariance_type="full", random_state=0).fit(X))
bench("GaussianMixture(k=10, diag) 100k blobs", len(X), lambda: GaussianMixture(10, covariance_type="diag", random_state=0).fit(X))
X = blobs(200_000)
bench("BisectingKMeans(k=10) 200k blobs", len(X), lambda: BisectingKMeans(10, random_state=0).fit(X))
x, y = lcg_rows(1_000_000)
bench("IsotonicRegression 1M rows", len(x), lambda: IsotonicRegression().fit(x, y))
