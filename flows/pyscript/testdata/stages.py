# Stages by kind name, params, generate, multiclass and regression metrics.
# argv: DATASETS_DIR OUT_DIR
import sys
import eddy

kinds = eddy.kinds()
print(len(kinds) > 20, "logistic_regression" in kinds, "pipeline" in kinds)
d = eddy.describe("logistic_regression")
print(d["kind"], d["type"], len(d["params"]) > 3)

s = eddy.stage("standard_scaler", {"input_col": "x"}, with_mean=False)
print(s, s.kind(), s.params()["input_col"], s.params()["with_mean"])
s.set_params(output_col="y")
print(s.params()["output_col"])
va = eddy.stage("vector_assembler", input_cols=["x0", "x1", "x2"], output_col="features")
print(va)
print(va.fit(eddy.generate(rows=3)))

g = eddy.generate(kind="regression", rows=600, seed=3, num_numeric=3, noise=0.1)
print(g, g.columns())
train, test = g.split([0.5, 0.5], seed=1)
model = eddy.pipeline([va, eddy.stage("linear_regression")]).fit(train)
r = eddy.evaluate(model.transform(test), task="regression")
print("r2 > 0.9", r["r2"] > 0.9, "rmse < 1", r["rmse"] < 1, sorted(r.keys()))

blobs = eddy.generate(kind="blobs", rows=300, seed=5, k=3, num_numeric=2)
print(blobs.schema())

iris = eddy.read_csv(sys.argv[1] + "/iris.csv.gz")
cols = [c for c in iris.columns() if c != "label"]
p = eddy.pipeline([
    {"kind": "vector_assembler", "params": {"input_cols": cols, "output_col": "features"}},
    {"kind": "logistic_regression"},
])
mc = eddy.evaluate(p.fit(iris).transform(iris))
print("multiclass accuracy > 0.9", mc["accuracy"] > 0.9, "log_loss" in mc, mc["rows"])
d = eddy.generate(rows=2000, seed=2, drift={"at": 1000}, num_categorical=1, cardinality=[4], batch_size=512)
print(d.schema(), d.num_rows())

# A Python UDF stage from a Python script: its code runs on its own pool.
udf = eddy.stage("py_row_udf", code="def f(row):\n    return {'z': row['x0'] * 2 + row['x1']}\n", output_schema="z:float", input_cols=["x0", "x1"])
small = eddy.generate(rows=4, seed=9)
z = udf.transform(small)
x0, x1 = small.column("x0"), small.column("x1")
print(z.columns(), z.column("z") == [a * 2 + b for a, b in zip(x0, x1)])
