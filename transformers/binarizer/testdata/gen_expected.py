# Generates the scikit-learn Binarizer expectations on the 13 wine features.
# Run once: /usr/bin/python3 testdata/gen_expected.py
#  - expected_wine_vector.csv.gz: Binarizer(threshold=2.5) on the feature matrix;
#  - thresholds.csv.gz: one threshold per feature (its median, which many
#    values equal, so that ties at the threshold are exercised);
#  - expected_wine_columns.csv.gz: Binarizer(threshold=t_j) applied to each column j.
import numpy as np
import pandas as pd
from sklearn.preprocessing import Binarizer

X = pd.read_csv("../../../shared/datasets/wine.csv.gz").drop(columns=["label"])
Y = Binarizer(threshold=2.5).fit_transform(X.values)
pd.DataFrame(Y, columns=X.columns).to_csv("testdata/expected_wine_vector.csv.gz", index=False, float_format="%.17g")
th = np.median(X.values, axis=0)
pd.DataFrame([th], columns=X.columns).to_csv("testdata/thresholds.csv.gz", index=False, float_format="%.17g")
cols = [Binarizer(threshold=t).fit_transform(X.values[:, [j]])[:, 0] for j, t in enumerate(th)]
pd.DataFrame(np.column_stack(cols), columns=X.columns).to_csv("testdata/expected_wine_columns.csv.gz", index=False, float_format="%.17g")
