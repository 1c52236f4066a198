# Generates testdata/expected_<strategy>.csv.gz: scikit-learn SimpleImputer
# on the diabetes features with value (i, j) made missing (NaN) where
# (3*i + j) % 7 == 0, for strategies mean, median, most_frequent and
# constant (fill_value=-1). The Go test injects the same NaNs.
# Run once: /usr/bin/python3 testdata/gen_expected.py
import numpy as np
import pandas as pd
from sklearn.impute import SimpleImputer

X = pd.read_csv("../../../shared/datasets/diabetes.csv.gz").drop(columns=["target"])
A = X.values.astype(float)
for i in range(A.shape[0]):
    for j in range(A.shape[1]):
        if (3 * i + j) % 7 == 0:
            A[i, j] = np.nan
for s in ["mean", "median", "most_frequent", "constant"]:
    kw = {"fill_value": -1} if s == "constant" else {}
    Y = SimpleImputer(strategy=s, **kw).fit_transform(A)
    pd.DataFrame(Y, columns=X.columns).to_csv(f"testdata/expected_{s}.csv.gz", index=False, float_format="%.17g")
