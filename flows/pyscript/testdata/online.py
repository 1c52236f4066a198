# Online learners from Python: FTRL learned batch by batch, test-then-
# train predictions scored by a prequential evaluator, the learner as a
# batch model (transform, save, registry), warm start and drift.
# argv: DATASETS_DIR OUT_DIR
import sys
import eddy

out = sys.argv[2]
print("ftrl" in eddy.learners(), "online_kmeans" in eddy.learners())
raw = eddy.generate(rows=6000, seed=5, num_numeric=4, num_categorical=3, cardinality=[50, 20, 5], skew=2, noise=0.05)
hasher = eddy.stage("feature_hasher", input_cols=["x0", "x1", "x2", "x3", "c0", "c1", "c2"], output_col="features", num_features=256)
data = hasher.transform(raw)

l = eddy.learner("ftrl", {"alpha": 0.1}, l1=0.5)
print(l, l.kind(), l.task(), l.model_kind(), l.params()["alpha"], l.params()["l1"])
ev = eddy.prequential("binary", window=1000)
first_auc = None
for start in range(0, 5000, 1000):
    scored = l.update_predict(data.slice(start, 1000))
    ev.update(scored)
    m = ev.metrics()
    if first_auc is None:
        first_auc = m["window_auc"]
print("rows", l.rows(), ev.metrics()["rows"], ev.metrics()["window_rows"])
print("scored columns", scored.columns()[-2:])
m = ev.metrics()
print("metrics", sorted(m.keys()))
print("auc improves", m["window_auc"] > first_auc, "window auc > 0.7", m["window_auc"] > 0.7)
print("log loss < 0.69", m["log_loss"] < 0.69)

holdout = data.slice(5000, 1000)
model = l.model()
print(model, "features_col", model.params()["features_col"])
s1 = model.transform(holdout)
e = eddy.evaluate(s1, task="binary")
print("holdout auc > 0.7", e["auc"] > 0.7)
p = l.predict(holdout)
print("predict == model.transform", p.column("probability") == s1.column("probability"))
model.save(out + "/ftrl.tar")
print("saved and loaded", eddy.load(out + "/ftrl.tar").transform(holdout).column("prediction") == s1.column("prediction"))
reg = eddy.registry("file://" + out + "/registry")
v = reg.put("ctr", model, metrics=e)
print("registry version", v, reg.load("ctr").transform(holdout).column("prediction") == s1.column("prediction"))

print("update learns", l.update(holdout), l.rows(), l.model().kind())

# Warm start from a batch logistic regression.
batch = eddy.stage("logistic_regression", max_iter=20).fit(data.slice(0, 2000))
w = eddy.learner("ftrl").warm_start(batch)
print("warm start rows", w.rows(), "holdout auc > 0.7", eddy.evaluate(w.predict(holdout), task="binary")["auc"] > 0.7)
try:
    eddy.learner("ftrl").predict(holdout)
except RuntimeError as e:
    print("error:", e)

# A learner without probabilities and one without predictions.
km = eddy.learner("online_kmeans", k=3, seed=1)
print("kmeans columns", km.update_predict(data.slice(0, 500)).columns()[-1:], km.model().kind())
sc = eddy.learner("online_standard_scaler", input_col="features", output_col="scaled")
sc.update(data.slice(0, 500))
print("scaler rows", sc.rows(), sc.model().transform(holdout).columns()[-1])

# Drift: a step in the mean.
d = eddy.drift("page_hinkley", threshold=5, min_instances=10)
found = [i for i, x in enumerate([0.1] * 100 + [1.0] * 100) if d.update(x)]
print(d, "first drift after the step", found[0] >= 100, "detections", d.detections() == len(found))
a = eddy.drift("adwin")
print(a, a.state(), a.update(True))
