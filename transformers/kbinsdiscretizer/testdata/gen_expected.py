# Generates the scikit-learn KBinsDiscretizer(encode='ordinal') expectations.
# Run once: /usr/bin/python3 testdata/gen_expected.py
# For each case, expected_<case>_edges.csv.gz lists bin_edges_ as rows
# (feature, edge) and expected_<case>.csv.gz the transformed data.
#  - wine_quantile: 13 wine features, n_bins=5, strategy='quantile';
#  - wine_uniform: the same with strategy='uniform';
#  - diabetes_quantile: 10 diabetes features, n_bins=7, strategy='quantile':
#    'sex' takes two values, so most of its quantile edges coincide and
#    scikit-learn removes the bins narrower than 1e-8 (with a warning),
#    leaving 1 bin.
# subsample=None: all rows are used (scikit-learn 1.2 only subsamples above
# 200000 rows when subsample='warn').
import warnings
import pandas as pd
from sklearn.preprocessing import KBinsDiscretizer

for case, ds, drop, n, strategy in [
    ("wine_quantile", "wine", "label", 5, "quantile"),
    ("wine_uniform", "wine", "label", 5, "uniform"),
    ("diabetes_quantile", "diabetes", "target", 7, "quantile"),
]:
    X = pd.read_csv(f"../../../shared/datasets/{ds}.csv.gz").drop(columns=[drop]).values.astype(float)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        kw = {"subsample": None} if strategy == "quantile" else {}
        k = KBinsDiscretizer(n_bins=n, encode="ordinal", strategy=strategy, **kw).fit(X)
        for x in w:
            print(case, x.message)
    edges = [(j, e) for j, es in enumerate(k.bin_edges_) for e in es]
    pd.DataFrame(edges, columns=["feature", "edge"]).to_csv(f"testdata/expected_{case}_edges.csv.gz", index=False, float_format="%.17g")
    pd.DataFrame(k.transform(X)).to_csv(f"testdata/expected_{case}.csv.gz", index=False, float_format="%.17g")
