# Generates testdata/expected_wine.csv.gz: scikit-learn MaxAbsScaler fitted
# and applied on the 13 wine features, each feature shifted by -mean so
# that signs vary; the shifted input is stored as testdata/input_wine.csv.gz. Run once: /usr/bin/python3 testdata/gen_expected.py
import pandas as pd
from sklearn.preprocessing import MaxAbsScaler

X = pd.read_csv("../../../shared/datasets/wine.csv.gz").drop(columns=["label"])
A = X.values - X.values.mean(axis=0).round(1)
pd.DataFrame(A, columns=X.columns).to_csv("testdata/input_wine.csv.gz", index=False, float_format="%.17g")
Y = MaxAbsScaler().fit_transform(A)
pd.DataFrame(Y, columns=X.columns).to_csv("testdata/expected_wine.csv.gz", index=False, float_format="%.17g")
