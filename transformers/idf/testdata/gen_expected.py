#!/usr/bin/python3
"""Generates adult_idf.csv.gz: scikit-learn's TfidfTransformer idf_
(smooth_idf=True: ln((1+n)/(1+df)) + 1) for every term of a text column
made from the first 2000 rows of adult_train (each row's 8 categorical
values, missing ones left out, joined by single spaces), counted by
CountVectorizer with its default analyzer. Lines: "term,idf" (idf printed
with repr, i.e. exactly). Eddy's idf is ln((m+1)/(df+1)) = sklearn's - 1.
Run with Debian's /usr/bin/python3 from this directory."""
import gzip
import pandas as pd
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer

COLS = ["workclass", "education", "marital_status", "occupation",
        "relationship", "race", "sex", "native_country"]
df = pd.read_csv("../../../../shared/datasets/adult_train.csv.gz", dtype={c: str for c in COLS}).head(2000)
docs = [" ".join(v for v in row if not pd.isna(v)) for row in df[COLS].itertuples(index=False)]
cv = CountVectorizer()
counts = cv.fit_transform(docs)
tf = TfidfTransformer(norm=None, smooth_idf=True).fit(counts)
with gzip.GzipFile("adult_idf.csv.gz", "wb", mtime=0) as f:
    for term, i in sorted(cv.vocabulary_.items()):
        f.write(f"{term},{tf.idf_[i]!r}\n".encode())
