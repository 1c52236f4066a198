#!/usr/bin/python3
"""scikit-learn side of the GBT speed comparison: HistGradientBoostingClassifier
(max_iter=100, early stopping off) on the generated rows of
estimators/gbt/gbt_test.go benchRows (n rows x d features). Prints the best
fit time of REPEAT runs in seconds.

Usage: OMP_NUM_THREADS=2 /usr/bin/python3 scripts/bench_gbt_vs_sklearn.py [N] [D] [REPEAT]
"""
import sys
import time

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier

M64 = (1 << 64) - 1


def u(k):
    # Vectorised SplitMix64 finaliser of k + golden gamma, top 53 bits.
    z = (k.astype(np.uint64) + np.uint64(0x9E3779B97F4A7C15))
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(11)).astype(np.float64) / float(1 << 53)


def rows(n, d):
    X = u(np.arange(n * d, dtype=np.uint64)).reshape(n, d)
    noise = u(np.arange(n * d, n * d + n, dtype=np.uint64))
    y = (X[:, 0] + X[:, 1] * X[:, 2] + np.sin(6 * X[:, 3]) / 2 + 0.5 * noise > 1.25).astype(float)
    return X, y


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    d = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    rep = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    X, y = rows(n, d)
    best = float("inf")
    with np.errstate(over="ignore"):
        for _ in range(rep):
            t0 = time.perf_counter()
            HistGradientBoostingClassifier(max_iter=100, early_stopping=False, random_state=0).fit(X, y)
            best = min(best, time.perf_counter() - t0)
    print(f"{best:.3f}")


if __name__ == "__main__":
    main()
