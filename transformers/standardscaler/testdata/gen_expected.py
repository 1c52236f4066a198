# Generates testdata/expected_wine.csv.gz: scikit-learn StandardScaler
# (defaults: with_mean=True, with_std=True, population std) fitted and
# applied on the 13 wine features. Run once with Debian's python3:
#   /usr/bin/python3 testdata/gen_expected.py
import pandas as pd
from sklearn.preprocessing import StandardScaler

X = pd.read_csv("../../../shared/datasets/wine.csv.gz").drop(columns=["label"])
Y = StandardScaler().fit_transform(X.values)
pd.DataFrame(Y, columns=X.columns).to_csv("testdata/expected_wine.csv.gz", index=False, float_format="%.17g")
