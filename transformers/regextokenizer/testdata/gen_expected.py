#!/usr/bin/python3
"""Generates adult_tokens.csv.gz: scikit-learn's CountVectorizer analyzer
(default token_pattern r"(?u)\\b\\w\\w+\\b", lowercase=True) applied to a text
column made from the first 2000 rows of adult_train: each row's 8
categorical values, missing ones left out, joined by single spaces. One line
per row: the tokens, space-separated. Run with Debian's /usr/bin/python3
from this directory."""
import gzip
import pandas as pd
from sklearn.feature_extraction.text import CountVectorizer

COLS = ["workclass", "education", "marital_status", "occupation",
        "relationship", "race", "sex", "native_country"]
df = pd.read_csv("../../../../shared/datasets/adult_train.csv.gz", dtype={c: str for c in COLS}).head(2000)
docs = [" ".join(v for v in row if not pd.isna(v)) for row in df[COLS].itertuples(index=False)]
analyze = CountVectorizer().build_analyzer()
with gzip.GzipFile("adult_tokens.csv.gz", "wb", mtime=0) as f:
    for d in docs:
        f.write((" ".join(analyze(d)) + "\n").encode())
