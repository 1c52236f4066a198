#!/usr/bin/python3
"""Generates adult_tf.csv.gz: hashed term frequencies of a text column made
from the first 2000 rows of adult_train (each row's 8 categorical values,
missing ones left out, joined by single spaces), tokenized by
scikit-learn's CountVectorizer analyzer (what regex_tokenizer with pattern
\\b\\w\\w+\\b and gaps=false gives) and hashed as Spark ML's HashingTF does:
bucket = murmurhash3_32(term, seed=42) mod 64, computed with scikit-learn's
murmurhash3_32. One line per row: "bucket:count" pairs in bucket order.
Run with Debian's /usr/bin/python3 from this directory."""
import gzip
from collections import Counter
import pandas as pd
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.utils import murmurhash3_32

N = 64
COLS = ["workclass", "education", "marital_status", "occupation",
        "relationship", "race", "sex", "native_country"]
df = pd.read_csv("../../../../shared/datasets/adult_train.csv.gz", dtype={c: str for c in COLS}).head(2000)
docs = [" ".join(v for v in row if not pd.isna(v)) for row in df[COLS].itertuples(index=False)]
analyze = CountVectorizer().build_analyzer()
with gzip.GzipFile("adult_tf.csv.gz", "wb", mtime=0) as f:
    for d in docs:
        c = Counter(murmurhash3_32(t, seed=42) % N for t in analyze(d))
        f.write((" ".join(f"{k}:{c[k]}" for k in sorted(c)) + "\n").encode())
