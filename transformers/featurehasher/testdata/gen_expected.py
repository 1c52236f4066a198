#!/usr/bin/python3
"""Generates adult_hashed.csv.gz: the feature_hasher encoding of the first
5000 rows of adult_train (14 feature columns) with num_features=1024, computed independently with
scikit-learn's murmurhash3_32 (seed 42, as Spark ML): a string value v of
column c adds 1.0 at murmur3("c=v") mod 1024, a numeric value x adds x at
murmur3("c") mod 1024, missing values add nothing, entries that collide add
up and zeros are not stored. One line per row: "index:value" pairs in index
order. Run with Debian's /usr/bin/python3 from this directory."""
import gzip
import pandas as pd
from sklearn.utils import murmurhash3_32

N = 1024
STR = ["workclass", "education", "marital_status", "occupation",
       "relationship", "race", "sex", "native_country"]
df = pd.read_csv("../../../../shared/datasets/adult_train.csv.gz", dtype={c: str for c in STR}).head(5000)  # the first 5000 rows keep the file small
feats = [c for c in df.columns if c != "label"]
with gzip.GzipFile("adult_hashed.csv.gz", "wb", mtime=0) as f:
    for row in df[feats].itertuples(index=False):
        acc = {}
        for c, v in zip(feats, row):
            if pd.isna(v):
                continue
            if c in STR:
                k, x = murmurhash3_32(f"{c}={v}", seed=42) % N, 1.0
            else:
                k, x = murmurhash3_32(c, seed=42) % N, float(v)
            acc[k] = acc.get(k, 0.0) + x
        f.write((" ".join(f"{k}:{acc[k]!r}" for k in sorted(acc) if acc[k] != 0) + "\n").encode())
