# Generates testdata/expected_breast_cancer.csv.gz: scikit-learn
# MinMaxScaler(feature_range=(-1, 2)) fitted and applied on the 30
# breast_cancer features. Run once: /usr/bin/python3 testdata/gen_expected.py
import pandas as pd
from sklearn.preprocessing import MinMaxScaler

X = pd.read_csv("../../../shared/datasets/breast_cancer.csv.gz").drop(columns=["label"])
Y = MinMaxScaler(feature_range=(-1, 2)).fit_transform(X.values)
pd.DataFrame(Y, columns=X.columns).to_csv("testdata/expected_breast_cancer.csv.gz", index=False, float_format="%.17g")
