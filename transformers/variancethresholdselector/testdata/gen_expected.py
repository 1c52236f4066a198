# Generates the scikit-learn VarianceThreshold expectations.
# Run once: /usr/bin/python3 testdata/gen_expected.py
#  - expected_wine_variances.csv.gz: variances_ (population variance, ddof=0)
#    of the 13 wine features;
#  - expected_wine_0.5.csv.gz: VarianceThreshold(0.5).fit_transform(X), the
#    8 features of variance > 0.5 (no variance lies within 1e-3 of 0.5).
import numpy as np
import pandas as pd
from sklearn.feature_selection import VarianceThreshold

X = pd.read_csv("../../../shared/datasets/wine.csv.gz").drop(columns=["label"]).values.astype(float)
s = VarianceThreshold(0.5).fit(X)
assert np.all(np.abs(s.variances_ - 0.5) > 1e-3)
pd.DataFrame([s.variances_]).to_csv("testdata/expected_wine_variances.csv.gz", index=False, float_format="%.17g")
pd.DataFrame(s.transform(X)).to_csv("testdata/expected_wine_0.5.csv.gz", index=False, float_format="%.17g")
print(s.get_support())
