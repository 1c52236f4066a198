# Generates the scikit-learn RobustScaler expectations on the 13 wine
# features, with NaN put in column 2 (ash) at every row index divisible by
# 7 so that np.nanpercentile's NaN handling is exercised (the Go test
# does the same). Run once: /usr/bin/python3 testdata/gen_expected.py
#  - expected_wine_default.csv.gz: RobustScaler() (with_centering,
#    with_scaling, quantile_range=(25, 75));
#  - expected_wine_10_90_nocenter.csv.gz: RobustScaler(with_centering=False,
#    quantile_range=(10, 90)).
# Each file's first two rows are center_ (zeros when not centering) and
# scale_, the following ones the transformed data.
import numpy as np
import pandas as pd
from sklearn.preprocessing import RobustScaler

X = pd.read_csv("../../../shared/datasets/wine.csv.gz").drop(columns=["label"])
V = X.values.astype(float)
V[::7, 2] = np.nan
for name, kw in [("default", {}), ("10_90_nocenter", {"with_centering": False, "quantile_range": (10.0, 90.0)})]:
    s = RobustScaler(**kw).fit(V)
    center = s.center_ if s.center_ is not None else np.zeros(V.shape[1])
    Y = np.vstack([center, s.scale_, s.transform(V)])
    pd.DataFrame(Y, columns=X.columns).to_csv(f"testdata/expected_wine_{name}.csv.gz", index=False, float_format="%.17g")
