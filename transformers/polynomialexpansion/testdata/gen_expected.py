# Generates the scikit-learn PolynomialFeatures(include_bias=False)
# expectations on the first 100 rows of the 10 diabetes features (degree 2:
# 65 outputs) and of the first 5 wine features (degree 3: 55 outputs).
# Run once: /usr/bin/python3 testdata/gen_expected.py
import pandas as pd
from sklearn.preprocessing import PolynomialFeatures

for ds, drop, cols, degree in [("diabetes", "target", None, 2), ("wine", "label", 5, 3)]:
    X = pd.read_csv(f"../../../shared/datasets/{ds}.csv.gz").drop(columns=[drop]).values.astype(float)[:100]
    if cols:
        X = X[:, :cols]
    Y = PolynomialFeatures(degree=degree, include_bias=False).fit_transform(X)
    pd.DataFrame(Y).to_csv(f"testdata/expected_{ds}_degree{degree}.csv.gz", index=False, float_format="%.17g")
