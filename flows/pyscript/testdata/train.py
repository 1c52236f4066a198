# A whole training script: read, split, fit a pipeline, evaluate, save,
# register and deploy. argv: DATASETS_DIR OUT_DIR
import sys
import eddy

data, out = sys.argv[1], sys.argv[2]
t = eddy.read_csv(data + "/breast_cancer.csv.gz")
features = [c for c in t.columns() if c != "label"]
train, test = t.split([0.75, 0.25], seed=7)
print("train", train.num_rows(), "test", test.num_rows(), "total", train.num_rows() + test.num_rows())

pipe = eddy.pipeline([
    eddy.stage("vector_assembler", {"input_cols": features, "output_col": "raw"}),
    eddy.stage("standard_scaler", input_col="raw", output_col="features"),
    {"kind": "logistic_regression", "params": {"reg_param": 0.01}},
])
print(pipe)
print([s.kind() for s in pipe.stages()])
model = pipe.fit(train)
print(model)
scored = model.transform(test)
print("scored columns", scored.columns()[-3:])
m = eddy.evaluate(scored, task="binary", label_col="label")
print("rows", m["rows"], "accuracy > 0.9", m["accuracy"] > 0.9, "auc > 0.95", m["auc"] > 0.95)
auto = eddy.evaluate(scored)
print("auto is binary", auto["accuracy"] == m["accuracy"] and "auc" in auto)

print("saved", model.save(out + "/model.tar") == out + "/model.tar")
eddy.write(test, out + "/test.arrow")
eddy.write(scored.select("prediction", "probability"), out + "/scored.arrow")

loaded = eddy.load(out + "/model.tar")
again = loaded.transform(test)
print("reloaded", loaded, again.column("probability") == scored.column("probability"))

reg = eddy.registry("file://" + out + "/registry")
v = reg.put("breast_cancer", model, metrics=m, description="logistic regression from python")
print("version", v, reg.deploy("breast_cancer", v))
print(reg.list_models())
for info in reg.versions("breast_cancer"):
    print(info["version"], info["stage"], info["description"], eddy.round(info["metrics"]["rows"]))
served = reg.load("breast_cancer")
print("registry model", served.transform(test).column("prediction") == scored.column("prediction"))
