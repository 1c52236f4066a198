"""scikit-learn side of scripts/bench_pipeline.sh: fit_transform of
ColumnTransformer(StandardScaler on 6 numeric columns, OneHotEncoder on 4
string columns) on the peers' mixed table (no LogisticRegression).

  /usr/bin/python3 scripts/bench_pipeline_sklearn.py PATH.csv.gz [REPS]

Writes PATH from /work/shared/peers/datagen.py when it does not exist, then
prints one JSON line with the median fit_transform time (CSV read not
timed).
"""
import gzip
import json
import os
import statistics
import sys
import time

PEERS = os.environ.get("PEERS_DIR", "/work/shared/peers")
sys.path.insert(0, PEERS)
import datagen  # noqa: E402


def main():
    path = sys.argv[1]
    reps = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    if not os.path.exists(path):
        with gzip.open(path, "wt", compresslevel=1) as f:
            f.write(datagen.mixed_csv_text())
    import sklearn
    from sklearn.compose import ColumnTransformer
    from sklearn.preprocessing import OneHotEncoder, StandardScaler
    df = datagen.read_mixed(path)
    X = df[datagen.MIXED_NUM + datagen.MIXED_CAT]
    ts = []
    width = 0
    for _ in range(reps):
        pre = ColumnTransformer([
            ("num", StandardScaler(), datagen.MIXED_NUM),
            ("cat", OneHotEncoder(handle_unknown="ignore"), datagen.MIXED_CAT),
        ])
        t = time.perf_counter()
        Xt = pre.fit_transform(X)
        ts.append(time.perf_counter() - t)
        width = Xt.shape[1]
    print(json.dumps({"bench": "sklearn_column_transformer_fit_transform", "rows": len(df),
                      "encoded_width": int(width), "reps": reps, "fit_transform_s": statistics.median(ts),
                      "all_s": ts, "sklearn": sklearn.__version__}))


if __name__ == "__main__":
    main()
