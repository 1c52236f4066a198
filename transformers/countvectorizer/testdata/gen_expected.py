#!/usr/bin/python3
"""Generates adult_counts.csv.gz: scikit-learn's CountVectorizer(min_df=5,
max_df=0.5) on a text column made from the first 2000 rows of adult_train
(each row's 8 categorical values, missing ones left out, joined by single
spaces), default analyzer. First line: the vocabulary (alphabetical, as
sklearn orders it), space-separated; then one line per row: "term:count"
pairs in term order. Eddy orders its vocabulary by corpus frequency
instead, so the test compares counts term by term. Run with Debian's
/usr/bin/python3 from this directory."""
import gzip
import pandas as pd
from sklearn.feature_extraction.text import CountVectorizer

COLS = ["workclass", "education", "marital_status", "occupation",
        "relationship", "race", "sex", "native_country"]
df = pd.read_csv("../../../../shared/datasets/adult_train.csv.gz", dtype={c: str for c in COLS}).head(2000)
docs = [" ".join(v for v in row if not pd.isna(v)) for row in df[COLS].itertuples(index=False)]
cv = CountVectorizer(min_df=5, max_df=0.5)
m = cv.fit_transform(docs).tocsr()
vocab = cv.get_feature_names_out()
with gzip.GzipFile("adult_counts.csv.gz", "wb", mtime=0) as f:
    f.write((" ".join(vocab) + "\n").encode())
    for i in range(m.shape[0]):
        cols = m.indices[m.indptr[i]:m.indptr[i + 1]]
        vals = m.data[m.indptr[i]:m.indptr[i + 1]]
        pairs = sorted(zip(cols, vals))
        f.write((" ".join(f"{vocab[c]}:{v}" for c, v in pairs) + "\n").encode())
