# Generates testdata/expected_wine_{l1,l2}.csv.gz: scikit-learn Normalizer
# (norm l1 and l2) on the 13 wine features.
# Run once: /usr/bin/python3 testdata/gen_expected.py
import pandas as pd
from sklearn.preprocessing import Normalizer

X = pd.read_csv("../../../shared/datasets/wine.csv.gz").drop(columns=["label"])
for n in ["l1", "l2"]:
    Y = Normalizer(norm=n).fit_transform(X.values)
    pd.DataFrame(Y, columns=X.columns).to_csv(f"testdata/expected_wine_{n}.csv.gz", index=False, float_format="%.17g")
