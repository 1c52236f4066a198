#!/usr/bin/python3
"""Generates adult_ordinal.csv.gz: scikit-learn's OrdinalEncoder output on
the categorical columns of adult_train, with categories ordered as Eddy's
string_indexer orders them by default (frequencyDesc: count descending, ties
by label ascending) and missing values in the extra bucket len(categories)
(handle_invalid=keep). Run with Debian's /usr/bin/python3 from this
directory: ./gen_expected.py (reads ../../../../shared/datasets)."""
import gzip
import numpy as np
import pandas as pd
from sklearn.preprocessing import OrdinalEncoder

COLS = ["workclass", "education", "marital_status", "occupation",
        "relationship", "race", "sex", "native_country"]
df = pd.read_csv("../../../../shared/datasets/adult_train.csv.gz", dtype={c: str for c in COLS})
cats = []
for c in COLS:
    counts = df[c].value_counts(dropna=True)
    cats.append(sorted(counts.index, key=lambda v: (-counts[v], v.encode())))
X = df[COLS]
enc = OrdinalEncoder(categories=cats, handle_unknown="use_encoded_value", unknown_value=-1,
                     encoded_missing_value=-2)
out = enc.fit_transform(X).astype(np.int64)
# With explicit categories sklearn encodes a missing value as unknown (-1).
for j in range(len(COLS)):
    out[out[:, j] < 0, j] = len(cats[j])
with gzip.GzipFile("adult_ordinal.csv.gz", "wb", mtime=0) as f:
    f.write((",".join(COLS) + "\n").encode())
    for row in out:
        f.write((",".join(str(v) for v in row) + "\n").encode())
