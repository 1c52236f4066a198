# Generates testdata/expected_wine.csv.gz: the wine feature matrix sliced
# with numpy fancy indexing X[:, [12, 0, 5, 6]] (the reference for Eddy's
# vector_slicer, which keeps the given order).
# Run once: /usr/bin/python3 testdata/gen_expected.py
import pandas as pd

X = pd.read_csv("../../../shared/datasets/wine.csv.gz").drop(columns=["label"]).values.astype(float)
pd.DataFrame(X[:, [12, 0, 5, 6]]).to_csv("testdata/expected_wine.csv.gz", index=False, float_format="%.17g")
