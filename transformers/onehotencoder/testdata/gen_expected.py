#!/usr/bin/python3
"""Generates the scikit-learn OneHotEncoder outputs on the categorical
columns of adult_train that the Eddy test compares against. Categories are
given in the order of Eddy's string_indexer (frequencyDesc: count
descending, ties by label ascending) followed, for columns with missing
values, by a "missing" category (string_indexer's handle_invalid=keep
bucket). Files: adult_onehot_none.csv.gz (drop=None, i.e. drop_last=false)
and adult_onehot_droplast.csv.gz (drop=the last category of every column,
i.e. drop_last=true): one line per row listing the column positions of the
nonzero entries of the concatenated encoding, space-separated. Run with
Debian's /usr/bin/python3 from this directory."""
import gzip
import pandas as pd
from sklearn.preprocessing import OneHotEncoder

COLS = ["workclass", "education", "marital_status", "occupation",
        "relationship", "race", "sex", "native_country"]
MISSING = "\x00missing"
df = pd.read_csv("../../../../shared/datasets/adult_train.csv.gz", dtype={c: str for c in COLS})
cats = []
for c in COLS:
    counts = df[c].value_counts(dropna=True)
    order = sorted(counts.index, key=lambda v: (-counts[v], v.encode()))
    if df[c].isna().any():
        order.append(MISSING)
    cats.append(order)
X = df[COLS].fillna(MISSING)


def write(name, enc):
    m = enc.fit_transform(X).tocsr()
    with gzip.GzipFile(name, "wb", mtime=0) as f:
        for i in range(m.shape[0]):
            row = m.indices[m.indptr[i]:m.indptr[i + 1]]
            assert all(m.data[m.indptr[i]:m.indptr[i + 1]] == 1.0)
            f.write((" ".join(str(v) for v in sorted(row)) + "\n").encode())


write("adult_onehot_none.csv.gz", OneHotEncoder(categories=cats, drop=None))
write("adult_onehot_droplast.csv.gz", OneHotEncoder(categories=cats, drop=[c[-1] for c in cats]))
