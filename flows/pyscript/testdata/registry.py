# Registry lifecycle from Python on a file:// registry. argv: DATASETS_DIR OUT_DIR
import sys
import eddy

t = eddy.generate(rows=400, seed=4, num_numeric=2)
pipe = eddy.pipeline([
    eddy.stage("vector_assembler", input_cols=["x0", "x1"], output_col="features"),
    eddy.stage("logistic_regression"),
])
reg = eddy.registry("file://" + sys.argv[2] + "/reg")
print(reg, reg.list_models(), reg.versions("ctr"))
m1 = pipe.fit(t)
v1 = reg.put("ctr", m1, metrics=eddy.evaluate(m1.transform(t)), params={"seed": 4, "note": "first"})
v2 = reg.put("ctr", pipe.fit(t.slice(0, 200)), metrics={"accuracy": 0.5})
print(v1, v2, reg.stage("ctr", v1, "validated"), reg.deploy("ctr", v1))
print(reg.deploy("ctr", v2))
for v in reg.versions("ctr"):
    print(v["version"], v["stage"], sorted(v["metrics"].keys()))
try:
    reg.stage("ctr", v1, "rejected")
except RuntimeError as e:
    print("refused:", str(e)[:60])
try:
    reg.stage("ctr", v1, "shipped")
except RuntimeError as e:
    print("refused:", e)
try:
    reg.put("ctr", m1, metrics={"name": "x"})
except RuntimeError as e:
    print("refused:", e)
print(reg.load("ctr"), reg.load("ctr", 1).transform(t).column("prediction") == m1.transform(t).column("prediction"))
print(reg.deploy("ctr", v1), [v["stage"] for v in reg.versions("ctr")])
