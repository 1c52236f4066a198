# Multiclass evaluation with class probabilities: the log loss is
# defined (it was NaN) and equals the mean of -log p(true label)
# computed here from the probability vectors. argv: DATASETS_DIR OUT_DIR
import sys
import math
import eddy

t = eddy.read_csv(sys.argv[1] + "/iris.csv.gz")
features = [c for c in t.columns() if c != "label"]
train, test = t.split([0.7, 0.3], seed=3)
model = eddy.pipeline([
    eddy.stage("vector_assembler", {"input_cols": features, "output_col": "features"}),
    eddy.stage("logistic_regression", max_iter=100),
]).fit(train)
scored = model.transform(test)

def mean_log_loss(s):
    total = 0.0
    for y, p in zip(s.column("label"), s.column("probability")):
        total -= math.log(p[y])
    return total / s.num_rows()

m = eddy.evaluate(scored, task="multiclass", label_col="label")
print("rows", m["rows"], "log_loss finite", m["log_loss"] == m["log_loss"])
print("log_loss matches", abs(m["log_loss"] - mean_log_loss(scored)) < 1e-9)
print("auto task has log_loss", eddy.evaluate(scored)["log_loss"] == m["log_loss"])
print("labels given", eddy.evaluate(scored, task="multiclass", labels=[0, 1, 2])["log_loss"] == m["log_loss"])

# A test set without class 2: labels 0 and 1 index the 3-vectors.
first = scored.slice(0, 30)
print("classes in slice", sorted(set(first.column("label"))))
m2 = eddy.evaluate(first, task="multiclass")
print("slice log_loss matches", abs(m2["log_loss"] - mean_log_loss(first)) < 1e-9)
try:
    eddy.evaluate(scored, task="multiclass", labels=[0, 1])
except RuntimeError as e:
    print("error:", e)
