# Generates the scikit-learn PCA expectations on the 13 wine features
# (unscaled) and the 10 diabetes features. Run once:
#   /usr/bin/python3 testdata/gen_expected.py
#  - expected_<ds>_components.csv.gz: PCA(n_components=k, svd_solver='full')
#    components_ (one row per component) after svd_flip's sign convention
#    (scikit-learn 1.2: the largest-|value| entry of each column of U is
#    positive);
#  - expected_<ds>_transform.csv.gz: the same PCA's transform of the data,
#    (X - mean_) @ components_.T.
import pandas as pd
from sklearn.decomposition import PCA

for ds, drop, k in [("wine", "label", 13), ("diabetes", "target", 4)]:
    X = pd.read_csv(f"../../../shared/datasets/{ds}.csv.gz").drop(columns=[drop]).values.astype(float)
    p = PCA(n_components=k, svd_solver="full").fit(X)
    pd.DataFrame(p.components_).to_csv(f"testdata/expected_{ds}_components.csv.gz", index=False, float_format="%.17g")
    pd.DataFrame(p.transform(X)).to_csv(f"testdata/expected_{ds}_transform.csv.gz", index=False, float_format="%.17g")
