# Generates testdata/expected_wine_keep.csv.gz: bucket indices of three wine
# columns computed with numpy.digitize, the reference for Eddy's
# bucketizer. Run once: /usr/bin/python3 testdata/gen_expected.py
#
# Bucket b holds splits[b] <= x < splits[b+1], the last bucket also holds
# x == splits[-1]. numpy.digitize(x, splits) (right=False) returns i with
# splits[i-1] <= x < splits[i], so the bucket is digitize - 1, except that
# x == splits[-1] gives len(splits) and belongs to bucket len(splits) - 2.
# Values below splits[0] or above splits[-1] (digitize 0 or len(splits))
# and NaN are invalid: with handle_invalid=keep they go to the extra bucket
# len(splits) - 1, as Flink ML's Bucketizer.
import numpy as np
import pandas as pd

SPLITS = {
    "alcohol": [11, 12, 13, 14],  # max 14.83: some rows invalid
    "malic_acid": [-np.inf, 1, 2, 3, np.inf],
    "magnesium": [70, 100, 162],  # min and max hit the outer splits exactly
}
X = pd.read_csv("../../../shared/datasets/wine.csv.gz")
out = {}
for col, s in SPLITS.items():
    s = np.asarray(s, dtype=float)
    x = X[col].values.astype(float)
    d = np.digitize(x, s)
    b = d - 1
    b[x == s[-1]] = len(s) - 2
    invalid = np.isnan(x) | (x < s[0]) | (x > s[-1])
    b[invalid] = len(s) - 1
    out[col] = b.astype(float)
pd.DataFrame(out).to_csv("testdata/expected_wine_keep.csv.gz", index=False, float_format="%.17g")
